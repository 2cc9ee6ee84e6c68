using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>One model step of a loop: what the agent stores for it.</summary>
/// <param name="RequestBody">The whole request the SDK sent: every message so far, the tools.</param>
/// <param name="MessageCount">How many messages the request holds.</param>
/// <param name="Content">The step's content parts as the AI SDK reports them (text, tool calls, tool results).</param>
internal sealed record LoopStep(
    int StepNumber, Turn Turn, string RequestBody, int MessageCount, string ResponseBody, string ResponseHeaders, string ResponseId,
    string Content, StepTokens Tokens, DateTimeOffset ResponseTimestamp);

/// <summary>
/// One invocation's agent loop, generated step by step from a seed: the same kit, task, step count
/// and seed give the same bytes. At every step the request holds the whole conversation so far
/// (system prompt, user task, each assistant message with its tool calls, each tool result, the
/// occasional screenshot) and the tools; the next step's request is this one's messages plus the
/// new ones, appended. Tool outputs are a read file (0.4–16 KB), grep output (0.2–6 KB), a test log
/// (0.6–24 KB), a listing, an edit's snippet, a diff, a fetched page; 1–3 calls a step; a
/// screenshot (100 KB–1 MB of base64) first between steps 12 and 24, then every 180–260 steps.
/// The last step answers with text only.
/// </summary>
internal sealed class AgentLoop
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private readonly AgentKit _kit;
    private readonly ILoopShape _shape;
    private readonly string _task;
    private readonly int _steps;
    private readonly int _seed;
    private readonly List<string> _messages = [];
    private readonly List<string> _tools;
    private readonly List<string> _responseMessages = [];

    public AgentLoop(AgentKit kit, ILoopShape shape, string task, int steps, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        _kit = kit;
        _shape = shape;
        _task = task;
        _steps = steps;
        _seed = seed;
        _tools = [.. kit.Tools.Select(shape.ToolDefinition)];
    }

    public AgentKit Kit => _kit;

    public ILoopShape Shape => _shape;

    public int StepCount => _steps;

    /// <summary>The conversation so far, as the last request sent it.</summary>
    public IReadOnlyList<string> Messages => _messages;

    /// <summary>The tool definitions as the requests send them.</summary>
    public IReadOnlyList<string> ToolDefinitions => _tools;

    /// <summary><c>input_messages</c>: the task, as the AI SDK's model messages.</summary>
    public string InputMessages => LoopJson.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteStartArray("content");
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", _task);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary><c>response_messages</c> once every step is taken: the AI SDK's assistant and tool messages of all steps.</summary>
    public string ResponseMessages => "[" + string.Join(",", _responseMessages) + "]";

    /// <summary>
    /// The loop's unique content: the system prompt's text, each tool definition and each message
    /// but the system message (which is the system prompt again), as the requests spell them.
    /// </summary>
    public IEnumerable<string> UniqueTexts()
    {
        yield return _kit.SystemPrompt;
        foreach (var tool in _tools)
        {
            yield return tool;
        }
        foreach (var message in _messages.Skip(_shape.SystemMessage(_kit.SystemPrompt) is null ? 0 : 1))
        {
            yield return message;
        }
    }

    public IEnumerable<LoopStep> Steps()
    {
        _messages.Clear();
        _responseMessages.Clear();
        var random = new Random(_seed);
        if (_shape.SystemMessage(_kit.SystemPrompt) is { } system)
        {
            _messages.Add(system);
        }
        _messages.Add(_shape.UserText(_task));
        var nextImage = random.Next(12, 25);
        long cached = 0;
        var at = Start.AddMinutes(_seed % 600);
        for (var step = 0; step < _steps; step++)
        {
            var request = _shape.Request(_kit.SystemPrompt, _messages, _tools);
            var final = step == _steps - 1;
            var turn = final ? new Turn(LoopText.Prose(random, random.Next(600, 1600)), [], true) : NextTurn(random, step);
            var input = Encoding.UTF8.GetByteCount(request) / 4;
            var output = ((turn.Text?.Length ?? 0) + turn.Calls.Sum(c => c.ArgumentsJson.Length)) / 4 + 20;
            var tokens = new StepTokens(input, Math.Min(cached, input), output);
            cached = input;
            var responseId = _shape.NewResponseId(random);
            at = at.AddMilliseconds(random.Next(1500, 9000));
            var response = _shape.Response(turn, tokens, responseId, at.ToUnixTimeSeconds());
            var headers = _shape.ResponseHeaders("req_" + LoopText.Id(random, 24), random.Next(800, 6000), 30_000_000 - input, at);
            yield return new LoopStep(step, turn, request, _messages.Count, response, headers, responseId, Content(turn), tokens, at);

            LoopImage? image = null;
            if (!final && step + 1 == nextImage)
            {
                image = new LoopImage("Screenshot of " + LoopText.FilePath(random) + " rendered at 1280x800:",
                    LoopText.PngBase64(random, LoopText.LogUniform(random, 100_000, 1_000_000)));
                nextImage += random.Next(180, 261);
            }
            _messages.AddRange(_shape.AfterTurn(turn, image));
            _responseMessages.AddRange(SdkMessages(turn));
        }
    }

    private static readonly (string Tool, int Weight)[] ToolWeights =
    [
        ("read", 30), ("grep", 15), ("bash", 13), ("edit", 16), ("glob", 6), ("ls", 3), ("write", 4), ("todo_write", 6), ("git_diff", 4), ("web_fetch", 3),
    ];

    private Turn NextTurn(Random random, int step)
    {
        var text = random.Next(10) < 7 ? LoopText.Prose(random, LoopText.LogUniform(random, 60, 900)) : null;
        var count = random.Next(10) switch
        {
            < 7 => 1,
            < 9 => 2,
            _ => 3,
        };
        var calls = new List<ToolUse>(count);
        for (var i = 0; i < count; i++)
        {
            calls.Add(NextCall(random, step, i));
        }
        return new Turn(text, calls, false);
    }

    private static ToolUse NextCall(Random random, int step, int index)
    {
        var total = ToolWeights.Sum(t => t.Weight);
        var pick = random.Next(total);
        var tool = ToolWeights.First(t => (pick -= t.Weight) < 0).Tool;
        var id = "call_" + LoopText.Id(random, 24);
        var path = "/repo/" + LoopText.FilePath(random);
        string Args(Action<Utf8JsonWriter> write) => LoopJson.Write(w =>
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        });
        switch (tool)
        {
            case "read":
                var offset = random.Next(4) == 0 ? random.Next(1, 600) : 0;
                return new ToolUse(id, tool, Args(w =>
                {
                    w.WriteString("file_path", path);
                    if (offset > 0)
                    {
                        w.WriteNumber("offset", offset);
                        w.WriteNumber("limit", 400);
                    }
                }), LoopText.ReadOutput(random, LoopText.LogUniform(random, 400, 16_000), offset));
            case "grep":
                var pattern = LoopText.Pick(random, ["Export", "OrderQuery", "CsvWriter", "TODO", "Filter", "Currency"]);
                return new ToolUse(id, tool, Args(w =>
                {
                    w.WriteString("pattern", pattern);
                    w.WriteString("path", "/repo/src");
                    w.WriteString("output_mode", "content");
                }), LoopText.GrepOutput(random, LoopText.LogUniform(random, 200, 6_000), pattern));
            case "bash":
                var command = LoopText.Pick(random, ["dotnet test tests/Orders.Tests --no-restore", "dotnet build -v q", "npm test -- --watch=false", "dotnet test --filter Export"]);
                return new ToolUse(id, tool, Args(w =>
                {
                    w.WriteString("command", command);
                    w.WriteString("description", "Run the orders tests");
                    w.WriteNumber("timeout", 600000);
                }), LoopText.TestLog(random, LoopText.LogUniform(random, 600, 24_000)));
            case "edit":
                var oldLines = random.Next(2, 25);
                var oldString = LoopText.Lines(random, oldLines);
                var newString = LoopText.Lines(random, oldLines + random.Next(0, 12));
                return new ToolUse(id, tool, Args(w =>
                {
                    w.WriteString("file_path", path);
                    w.WriteString("old_string", oldString);
                    w.WriteString("new_string", newString);
                }), LoopText.EditOutput(random, path, random.Next(8, 30)));
            case "glob":
                return new ToolUse(id, tool, Args(w => w.WriteString("pattern", "src/**/*" + LoopText.Pick(random, [".cs", ".tsx", "Export*"]))),
                    LoopText.Listing(random, LoopText.LogUniform(random, 150, 2_500)));
            case "ls":
                return new ToolUse(id, tool, Args(w => w.WriteString("path", "/repo/" + LoopText.Pick(random, LoopText.Folders))),
                    LoopText.Listing(random, LoopText.LogUniform(random, 150, 1_500)));
            case "write":
                var content = LoopText.Code(random, random.Next(20, 150));
                return new ToolUse(id, tool, Args(w =>
                {
                    w.WriteString("file_path", path);
                    w.WriteString("content", content);
                }), "File created successfully at: " + path);
            case "todo_write":
                var todos = random.Next(3, 9);
                return new ToolUse(id, tool, Args(w =>
                {
                    w.WriteStartArray("todos");
                    for (var t = 0; t < todos; t++)
                    {
                        w.WriteStartObject();
                        w.WriteString("content", LoopText.Sentence(random));
                        w.WriteString("status", t < todos / 2 ? "completed" : t == todos / 2 ? "in_progress" : "pending");
                        w.WriteString("id", (t + 1).ToString(CultureInfo.InvariantCulture));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }), "Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable");
            case "git_diff":
                return new ToolUse(id, tool, Args(w => w.WriteString("base", "main")), Diff(random, LoopText.LogUniform(random, 500, 8_000)));
            default:
                var url = "https://learn.example.com/docs/" + LoopText.Pick(random, ["csv", "streaming", "encoding", "http-headers"]) + "?step=" + step.ToString(CultureInfo.InvariantCulture) + "&call=" + index.ToString(CultureInfo.InvariantCulture);
                return new ToolUse(id, "web_fetch", Args(w =>
                {
                    w.WriteString("url", url);
                    w.WriteString("prompt", "Summarize what the page says about the topic.");
                }), LoopText.Prose(random, LoopText.LogUniform(random, 1_000, 12_000)));
        }
    }

    private static string Diff(Random random, int bytes)
    {
        var text = new StringBuilder(bytes + 200);
        while (text.Length < bytes)
        {
            var path = LoopText.FilePath(random);
            text.Append("diff --git a/").Append(path).Append(" b/").Append(path).Append("\n--- a/").Append(path).Append("\n+++ b/").Append(path)
                .Append("\n@@ -").Append(random.Next(1, 300).ToString(CultureInfo.InvariantCulture)).Append(",7 +")
                .Append(random.Next(1, 300).ToString(CultureInfo.InvariantCulture)).Append(",9 @@\n");
            for (var i = random.Next(5, 16); i > 0; i--)
            {
                text.Append(random.Next(4) switch { 0 => '-', 1 => '+', _ => ' ' }).Append(LoopText.CodeLine(random)).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>The step's <c>content</c> as the AI SDK reports it: text, each tool call, each tool result.</summary>
    private static string Content(Turn turn) => LoopJson.Write(w =>
    {
        w.WriteStartArray();
        if (turn.Text is not null)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", turn.Text);
            w.WriteEndObject();
        }
        foreach (var call in turn.Calls)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool-call");
            w.WriteString("toolCallId", call.Id);
            w.WriteString("toolName", call.Name);
            w.WritePropertyName("input");
            LoopJson.Raw(w, call.ArgumentsJson);
            w.WriteEndObject();
        }
        foreach (var call in turn.Calls)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool-result");
            w.WriteString("toolCallId", call.Id);
            w.WriteString("toolName", call.Name);
            w.WritePropertyName("input");
            LoopJson.Raw(w, call.ArgumentsJson);
            w.WriteString("output", call.Output);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    /// <summary>The AI SDK's model messages of one step (its <c>response.messages</c> part): the assistant's, then one tool message.</summary>
    private static IEnumerable<string> SdkMessages(Turn turn)
    {
        yield return LoopJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            if (turn.Text is not null)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", turn.Text);
                w.WriteEndObject();
            }
            foreach (var call in turn.Calls)
            {
                w.WriteStartObject();
                w.WriteString("type", "tool-call");
                w.WriteString("toolCallId", call.Id);
                w.WriteString("toolName", call.Name);
                w.WritePropertyName("input");
                LoopJson.Raw(w, call.ArgumentsJson);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        if (turn.Calls.Count == 0)
        {
            yield break;
        }
        yield return LoopJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("role", "tool");
            w.WriteStartArray("content");
            foreach (var call in turn.Calls)
            {
                w.WriteStartObject();
                w.WriteString("type", "tool-result");
                w.WriteString("toolCallId", call.Id);
                w.WriteString("toolName", call.Name);
                w.WriteStartObject("output");
                w.WriteString("type", "text");
                w.WriteString("value", call.Output);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>A tool call's <c>output</c> as the AI SDK gives it: <c>{"type":"text","value":…}</c>.</summary>
    public static string ToolOutput(ToolUse call) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("value", call.Output);
        w.WriteEndObject();
    });
}
