using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>
/// The request bodies of an agent loop, as a coding agent sends them: a system prompt and tool
/// definitions (about 70 KB), then every earlier message at each step. Deterministic, and each
/// message has its own text, so "stored once" can be counted.
/// </summary>
public sealed class AgentLoop
{
    // As a provider SDK writes JSON (JSON.stringify): non-ASCII text as it is, not \u-escaped.
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<string> _messages = [];
    private readonly Random _random;

    public AgentLoop(int seed = 16, int systemPromptBytes = 50_000)
    {
        _random = new Random(seed);
        SystemPrompt = Text("You are a careful coding agent. ", systemPromptBytes);
        Tools = [.. Enumerable.Range(0, 12).Select(i => JsonSerializer.Serialize(new
        {
            name = $"tool_{i}",
            description = Text($"Tool {i} does one thing well. ", 1_500),
            input_schema = new { type = "object", properties = new { path = new { type = "string" } } },
        }, Options))];
    }

    public string SystemPrompt { get; }

    public string[] Tools { get; }

    /// <summary>The messages so far, each as its JSON text.</summary>
    public IReadOnlyList<string> Messages => _messages;

    /// <summary>Adds an assistant message and a tool result (sizes from a few hundred bytes to tens of KB).</summary>
    public void Turn()
    {
        var n = _messages.Count;
        _messages.Add(JsonSerializer.Serialize(new { role = "assistant", content = Text($"Step {n}: I will look at the next file. ", _random.Next(200, 3_000)) }, Options));
        _messages.Add(JsonSerializer.Serialize(new
        {
            role = "tool",
            tool_call_id = $"call_{n}",
            content = Text($"Output {n} of the build:\n", _random.Next(300, 20_000)),
        }, Options));
    }

    /// <summary>The request body at this point: model, system prompt, tools, every message, in the key order a provider SDK writes.</summary>
    public string RequestBody() =>
        $$"""{"model":"claude-test","max_tokens":4096,"system":{{JsonSerializer.Serialize(SystemPrompt, Options)}},"tools":[{{string.Join(",", Tools)}}],"messages":[{{string.Join(",", _messages)}}]}""";

    private string Text(string seed, int bytes)
    {
        var sb = new StringBuilder(bytes + 64);
        while (sb.Length < bytes)
        {
            sb.Append(seed).Append(_random.Next()).Append(" – ").Append((char)('a' + _random.Next(26))).Append('\n');
        }
        return sb.ToString();
    }
}
