using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>
/// One step as written: its id, the UTF-8 size of its request body, how long <c>CreateAgentStep</c>
/// took, and the CPU it took: this process's threads (the checkpoint and group-commit threads
/// included) plus, on a PostgreSQL cluster this process started, the server's processes.
/// </summary>
internal sealed record WrittenStep(Guid Id, int StepNumber, long RequestBytes, double Milliseconds, double CpuMilliseconds);

/// <summary>
/// Writes an <see cref="AgentLoop"/> through the library's public functions, as an agent harness
/// does: <c>CreateAgentInvocation</c> (system prompt, input messages), then per step
/// <c>CreateAgentStep</c> (request and response bodies, headers, content, usage…) and a
/// <c>CreateToolCall</c> per tool call (its input and output), then <c>CompleteAgentInvocation</c>
/// (response messages, the last request and response). Only <c>CreateAgentStep</c> is timed; the
/// JSON is parsed before the clock starts, as the caller's own cost.
/// </summary>
internal static class LoopWriter
{
    private static readonly JsonElement EmptyArray = Parse("[]");

    public static async Task<(Guid InvocationId, List<WrittenStep> Steps, string LastRequestBody)> WriteAsync(
        PipelineDb db, Guid phaseResultId, Guid? parentId, AgentType type, AgentLoop loop)
    {
        var shape = loop.Shape;
        using var input = JsonDocument.Parse(loop.InputMessages);
        var invocation = await PipelinePersistence.CreateAgentInvocationAsync(db, new NewAgentInvocation
        {
            PhaseResultId = phaseResultId,
            ParentInvocationId = parentId,
            AgentType = type,
            ModelProvider = shape.ModelProvider,
            ModelId = shape.ModelId,
            SystemPrompt = loop.Kit.SystemPrompt,
            InputMessages = input.RootElement,
        });
        var written = new List<WrittenStep>(loop.StepCount);
        LoopStep? last = null;
        long inputTokens = 0, cachedTokens = 0, outputTokens = 0;
        foreach (var step in loop.Steps())
        {
            using var request = JsonDocument.Parse(step.RequestBody);
            using var response = JsonDocument.Parse(step.ResponseBody);
            using var headers = JsonDocument.Parse(step.ResponseHeaders);
            using var content = JsonDocument.Parse(step.Content);
            using var usageRaw = JsonDocument.Parse(UsageRaw(step.Tokens));
            using var metadata = JsonDocument.Parse(ProviderMetadata(shape, step.Tokens));
            var data = new NewAgentStep
            {
                InvocationId = invocation,
                StepNumber = step.StepNumber,
                ModelProvider = shape.ModelProvider,
                ModelId = shape.ModelId,
                FunctionId = loop.Kit.AgentType + ".step",
                Text = step.Turn.Text,
                Content = content.RootElement,
                FinishReason = step.Turn.Final ? FinishReason.Stop : FinishReason.ToolCalls,
                RawFinishReason = step.Turn.Final ? "stop" : "tool_calls",
                Usage = Usage(step.Tokens, usageRaw.RootElement),
                Warnings = EmptyArray,
                RequestBody = request.RootElement,
                ResponseId = step.ResponseId,
                ResponseModelId = shape.ResponseModelId,
                ResponseHeaders = headers.RootElement,
                ResponseBody = response.RootElement,
                ResponseTimestamp = step.ResponseTimestamp,
                ProviderMetadata = metadata.RootElement,
            };
            var requestBytes = Encoding.UTF8.GetByteCount(step.RequestBody);
            var serverBefore = ServerCpu();
            var cpuBefore = Quick.ProcessCpu.Now();
            var watch = Stopwatch.StartNew();
            var stepId = await PipelinePersistence.CreateAgentStepAsync(db, data);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            var cpu = (Quick.ProcessCpu.Now() - cpuBefore).TotalMilliseconds;
            if (serverBefore is { } before && ServerCpu() is { } after)
            {
                cpu += (after - before).TotalMilliseconds;
            }
            written.Add(new WrittenStep(stepId, step.StepNumber, requestBytes, elapsed, cpu));
            foreach (var call in step.Turn.Calls)
            {
                using var arguments = JsonDocument.Parse(call.ArgumentsJson);
                using var output = JsonDocument.Parse(AgentLoop.ToolOutput(call));
                await PipelinePersistence.CreateToolCallAsync(db, new NewToolCall
                {
                    StepId = stepId,
                    ToolCallId = call.Id,
                    ToolName = call.Name,
                    Input = arguments.RootElement,
                    Output = output.RootElement,
                    OutputType = ToolOutputType.Text,
                });
            }
            inputTokens += step.Tokens.Input;
            cachedTokens += step.Tokens.CachedInput;
            outputTokens += step.Tokens.Output;
            last = step;
        }
        var final = last!;
        using var lastRequest = JsonDocument.Parse(final.RequestBody);
        using var lastResponse = JsonDocument.Parse(final.ResponseBody);
        using var lastHeaders = JsonDocument.Parse(final.ResponseHeaders);
        using var lastContent = JsonDocument.Parse(final.Content);
        using var responseMessages = JsonDocument.Parse(loop.ResponseMessages);
        var total = new StepTokens(inputTokens, cachedTokens, outputTokens);
        using var totalRaw = JsonDocument.Parse(UsageRaw(total));
        using var totalMetadata = JsonDocument.Parse(ProviderMetadata(shape, total));
        await PipelinePersistence.CompleteAgentInvocationAsync(db, invocation, new AgentInvocationCompletion
        {
            FinishReason = FinishReason.Stop,
            RawFinishReason = "stop",
            OutputText = final.Turn.Text,
            OutputContent = lastContent.RootElement,
            OutputFiles = EmptyArray,
            OutputSources = EmptyArray,
            ResponseMessages = responseMessages.RootElement,
            ResponseId = final.ResponseId,
            ResponseModelId = shape.ResponseModelId,
            ResponseHeaders = lastHeaders.RootElement,
            ResponseBody = lastResponse.RootElement,
            ResponseTimestamp = final.ResponseTimestamp,
            ProviderMetadata = totalMetadata.RootElement,
            Warnings = EmptyArray,
            RequestBody = lastRequest.RootElement,
            StepCount = loop.StepCount,
            Usage = Usage(total, totalRaw.RootElement),
        });
        return (invocation, written, final.RequestBody);
    }

    /// <summary>The PostgreSQL cluster's CPU when this process started it (null on SQLite too: the caller subtracts nothing).</summary>
    private static TimeSpan? ServerCpu() =>
        ServerPid is { } pid ? Quick.ProcessCpu.OfProcessTree(pid) : null;

    /// <summary>Set by the measurement for a PostgreSQL database on a cluster this process started.</summary>
    public static int? ServerPid { get; set; }

    private static TokenUsage Usage(StepTokens tokens, JsonElement raw) => new()
    {
        InputTokens = tokens.Input,
        OutputTokens = tokens.Output,
        TotalTokens = tokens.Input + tokens.Output,
        InputNoCacheTokens = tokens.Input - tokens.CachedInput,
        InputCacheReadTokens = tokens.CachedInput,
        InputCacheWriteTokens = 0,
        OutputTextTokens = tokens.Output,
        OutputReasoningTokens = 0,
        Raw = raw,
    };

    private static string UsageRaw(StepTokens tokens) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens", tokens.Input);
        w.WriteNumber("completion_tokens", tokens.Output);
        w.WriteNumber("total_tokens", tokens.Input + tokens.Output);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", tokens.CachedInput);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>The AI SDK's <c>providerMetadata</c> of a step, as its OpenAI or Anthropic provider fills it.</summary>
    private static string ProviderMetadata(ILoopShape shape, StepTokens tokens) => LoopJson.Write(w =>
    {
        w.WriteStartObject();
        if (shape is AnthropicMessagesShape)
        {
            w.WriteStartObject("anthropic");
            w.WriteNumber("cacheCreationInputTokens", 0);
            w.WriteNumber("cacheReadInputTokens", tokens.CachedInput);
        }
        else
        {
            w.WriteStartObject("openai");
            w.WriteNumber("reasoningTokens", 0);
            w.WriteNumber("acceptedPredictionTokens", 0);
            w.WriteNumber("rejectedPredictionTokens", 0);
            w.WriteNumber("cachedPromptTokens", tokens.CachedInput);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
