using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>One tool call the model made and what the tool returned.</summary>
/// <param name="ArgumentsJson">The arguments as the model wrote them: a JSON object's text.</param>
internal sealed record ToolUse(string Id, string Name, string ArgumentsJson, string Output);

/// <summary>An image the harness sends the model after a step's tool results (a screenshot), as base64.</summary>
internal sealed record LoopImage(string Caption, string Base64);

/// <summary>What the model answered at one step: text and/or tool calls; <see cref="Final"/>: text only, the loop ends.</summary>
internal sealed record Turn(string? Text, IReadOnlyList<ToolUse> Calls, bool Final);

/// <summary>Token counts of one step, as the provider reports them.</summary>
internal sealed record StepTokens(long Input, long CachedInput, long Output);

/// <summary>The provider's wire format: how messages, tools, the request and the response are spelled.</summary>
internal interface ILoopShape
{
    string ModelProvider { get; }
    string ModelId { get; }
    string ResponseModelId { get; }

    string ToolDefinition(ToolSpec tool);

    /// <summary>The system prompt as the first message, or null when the format puts it outside the messages (Anthropic).</summary>
    string? SystemMessage(string prompt);

    string UserText(string text);

    /// <summary>The messages a turn adds to the conversation: the assistant's, then the tool results (and the image, if any).</summary>
    IEnumerable<string> AfterTurn(Turn turn, LoopImage? image);

    /// <summary>The request body: settings, the system prompt where the format wants it, the messages, the tools.</summary>
    string Request(string systemPrompt, IReadOnlyList<string> messages, IReadOnlyList<string> tools);

    string Response(Turn turn, StepTokens tokens, string responseId, long created);

    string ResponseHeaders(string requestId, int processingMs, long remainingTokens, DateTimeOffset at);

    string NewResponseId(Random random);
}

/// <summary>Writing JSON text as the SDKs do (compact; only what JSON requires escaped).</summary>
internal static class LoopJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes JSON text already made (a message, a tool definition) as a value.</summary>
    public static void Raw(Utf8JsonWriter writer, string json) => writer.WriteRawValue(json, skipInputValidation: true);

    public static void Schema(Utf8JsonWriter w, ToolSpec tool)
    {
        w.WriteStartObject();
        w.WriteString("type", "object");
        w.WriteStartObject("properties");
        foreach (var p in tool.Parameters)
        {
            w.WriteStartObject(p.Name);
            w.WriteString("type", p.Type);
            if (p.Type == "array")
            {
                w.WriteStartObject("items");
                w.WriteString("type", p.Name == "edits" || p.Name == "todos" ? "object" : "string");
                w.WriteEndObject();
            }
            w.WriteString("description", p.Description);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartArray("required");
        foreach (var p in tool.Parameters.Where(p => p.Required))
        {
            w.WriteStringValue(p.Name);
        }
        w.WriteEndArray();
        w.WriteBoolean("additionalProperties", false);
        w.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
        w.WriteEndObject();
    }

    /// <summary>Joins ready-made JSON texts into a request: <c>{prefix"messages":[m1,m2,…],"tools":[t1,…]suffix}</c>, in one pass.</summary>
    public static string Envelope(string prefix, IReadOnlyList<string> messages, IReadOnlyList<string> tools, string suffix)
    {
        var length = prefix.Length + suffix.Length + 32 + messages.Count + tools.Count;
        foreach (var m in messages)
        {
            length += m.Length;
        }
        foreach (var t in tools)
        {
            length += t.Length;
        }
        var text = new StringBuilder(length);
        text.Append(prefix).Append("\"messages\":[");
        for (var i = 0; i < messages.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(messages[i]);
        }
        text.Append("],\"tools\":[");
        for (var i = 0; i < tools.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(tools[i]);
        }
        return text.Append(']').Append(suffix).ToString();
    }

    public static string Http(DateTimeOffset at) => at.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
}

/// <summary>OpenAI chat completions: <c>{"model":…,"messages":[…],"tools":[…],"tool_choice":"auto",…}</c> and a <c>chat.completion</c> back.</summary>
internal sealed class OpenAiChatShape : ILoopShape
{
    public string ModelProvider => "openai.chat";
    public string ModelId => "gpt-4.1";
    public string ResponseModelId => "gpt-4.1-2025-04-14";

    public string ToolDefinition(ToolSpec tool) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", tool.Name);
        w.WriteString("description", tool.Description);
        w.WritePropertyName("parameters");
        LoopJson.Schema(w, tool);
        w.WriteBoolean("strict", false);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public string? SystemMessage(string prompt) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("role", "system");
        w.WriteString("content", prompt);
        w.WriteEndObject();
    });

    public string UserText(string text) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", text);
        w.WriteEndObject();
    });

    public IEnumerable<string> AfterTurn(Turn turn, LoopImage? image)
    {
        yield return LoopJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteString("content", turn.Text ?? "");
            if (turn.Calls.Count > 0)
            {
                WriteToolCalls(w, turn.Calls);
            }
            w.WriteEndObject();
        });
        foreach (var call in turn.Calls)
        {
            yield return LoopJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("role", "tool");
                w.WriteString("tool_call_id", call.Id);
                w.WriteString("content", call.Output);
                w.WriteEndObject();
            });
        }
        if (image is not null)
        {
            // Chat completions' tool messages carry text only: the harness sends the screenshot as a user message.
            yield return LoopJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("role", "user");
                w.WriteStartArray("content");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", image.Caption);
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteString("type", "image_url");
                w.WriteStartObject("image_url");
                w.WriteString("url", "data:image/png;base64," + image.Base64);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
    }

    private static void WriteToolCalls(Utf8JsonWriter w, IReadOnlyList<ToolUse> calls)
    {
        w.WriteStartArray("tool_calls");
        foreach (var call in calls)
        {
            w.WriteStartObject();
            w.WriteString("id", call.Id);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", call.Name);
            w.WriteString("arguments", call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public string Request(string systemPrompt, IReadOnlyList<string> messages, IReadOnlyList<string> tools) =>
        LoopJson.Envelope("{\"model\":\"gpt-4.1\",\"max_completion_tokens\":8192,\"temperature\":0,", messages, tools,
            ",\"tool_choice\":\"auto\",\"parallel_tool_calls\":true}");

    public string Response(Turn turn, StepTokens tokens, string responseId, long created) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", responseId);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", created);
        w.WriteString("model", ResponseModelId);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        if (turn.Text is null)
        {
            w.WriteNull("content");
        }
        else
        {
            w.WriteString("content", turn.Text);
        }
        if (turn.Calls.Count > 0)
        {
            WriteToolCalls(w, turn.Calls);
        }
        w.WriteNull("refusal");
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", turn.Final ? "stop" : "tool_calls");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", tokens.Input);
        w.WriteNumber("completion_tokens", tokens.Output);
        w.WriteNumber("total_tokens", tokens.Input + tokens.Output);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", tokens.CachedInput);
        w.WriteNumber("audio_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteNumber("audio_tokens", 0);
        w.WriteNumber("accepted_prediction_tokens", 0);
        w.WriteNumber("rejected_prediction_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("service_tier", "default");
        w.WriteString("system_fingerprint", "fp_b3f1157249");
        w.WriteEndObject();
    });

    public string ResponseHeaders(string requestId, int processingMs, long remainingTokens, DateTimeOffset at) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("content-type", "application/json");
        w.WriteString("date", LoopJson.Http(at));
        w.WriteString("openai-processing-ms", processingMs.ToString(CultureInfo.InvariantCulture));
        w.WriteString("openai-version", "2020-10-01");
        w.WriteString("x-ratelimit-limit-requests", "10000");
        w.WriteString("x-ratelimit-limit-tokens", "30000000");
        w.WriteString("x-ratelimit-remaining-requests", "9999");
        w.WriteString("x-ratelimit-remaining-tokens", remainingTokens.ToString(CultureInfo.InvariantCulture));
        w.WriteString("x-request-id", requestId);
        w.WriteString("cf-cache-status", "DYNAMIC");
        w.WriteEndObject();
    });

    public string NewResponseId(Random random) => "chatcmpl-" + LoopText.Id(random, 29);
}

/// <summary>Anthropic messages: <c>{"model":…,"system":[…],"messages":[…],"tools":[…]}</c>, tool results as user messages, and a <c>message</c> back.</summary>
internal sealed class AnthropicMessagesShape : ILoopShape
{
    public string ModelProvider => "anthropic.messages";
    public string ModelId => "claude-sonnet-4-5";
    public string ResponseModelId => "claude-sonnet-4-5-20250929";

    public string ToolDefinition(ToolSpec tool) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("name", tool.Name);
        w.WriteString("description", tool.Description);
        w.WritePropertyName("input_schema");
        LoopJson.Schema(w, tool);
        w.WriteEndObject();
    });

    public string? SystemMessage(string prompt) => null;

    public string UserText(string text) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteStartArray("content");
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public IEnumerable<string> AfterTurn(Turn turn, LoopImage? image)
    {
        yield return LoopJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WritePropertyName("content");
            WriteContent(w, turn);
            w.WriteEndObject();
        });
        if (turn.Calls.Count == 0 && image is null)
        {
            yield break;
        }
        yield return LoopJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteStartArray("content");
            foreach (var call in turn.Calls)
            {
                w.WriteStartObject();
                w.WriteString("type", "tool_result");
                w.WriteString("tool_use_id", call.Id);
                w.WriteString("content", call.Output);
                w.WriteEndObject();
            }
            if (image is not null)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", image.Caption);
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteString("type", "image");
                w.WriteStartObject("source");
                w.WriteString("type", "base64");
                w.WriteString("media_type", "image/png");
                w.WriteString("data", image.Base64);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteContent(Utf8JsonWriter w, Turn turn)
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
            w.WriteString("type", "tool_use");
            w.WriteString("id", call.Id);
            w.WriteString("name", call.Name);
            w.WritePropertyName("input");
            LoopJson.Raw(w, call.ArgumentsJson);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public string Request(string systemPrompt, IReadOnlyList<string> messages, IReadOnlyList<string> tools)
    {
        var system = LoopJson.Write(w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", systemPrompt);
            w.WriteStartObject("cache_control");
            w.WriteString("type", "ephemeral");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        return LoopJson.Envelope("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8192,\"temperature\":0,\"system\":" + system + ",", messages, tools,
            ",\"tool_choice\":{\"type\":\"auto\"}}");
    }

    public string Response(Turn turn, StepTokens tokens, string responseId, long created) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", responseId);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", ResponseModelId);
        w.WritePropertyName("content");
        WriteContent(w, turn);
        w.WriteString("stop_reason", turn.Final ? "end_turn" : "tool_use");
        w.WriteNull("stop_sequence");
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", tokens.Input - tokens.CachedInput);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", tokens.CachedInput);
        w.WriteNumber("output_tokens", tokens.Output);
        w.WriteString("service_tier", "standard");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public string ResponseHeaders(string requestId, int processingMs, long remainingTokens, DateTimeOffset at) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("content-type", "application/json");
        w.WriteString("date", LoopJson.Http(at));
        w.WriteString("request-id", requestId);
        w.WriteString("anthropic-ratelimit-requests-remaining", "3999");
        w.WriteString("anthropic-ratelimit-tokens-remaining", remainingTokens.ToString(CultureInfo.InvariantCulture));
        w.WriteString("x-envoy-upstream-service-time", processingMs.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    });

    public string NewResponseId(Random random) => "msg_01" + LoopText.Id(random, 22);
}
