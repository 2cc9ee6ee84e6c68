using System.Globalization;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// One simulated agent invocation: it is created on start, stores each model step with its tool
/// calls, and on completion stores the totals the SDK would report for the whole invocation.
/// </summary>
internal sealed class AgentSession
{
    private static readonly string[] Toolset =
        ["read", "glob", "grep", "write", "edit", "bash", "spawn_subagent", "create_memory", "request_human_feedback"];

    private readonly PipelineDb _db;
    private readonly DemoClock _time;
    private readonly Random _rng;
    private readonly AgentStart _start;
    private readonly ModelProfile _model;
    private readonly int _systemTokens;
    private readonly List<object> _responseMessages = [];
    private readonly UsageTotals _totals = new();
    private int _context;
    private int _steps;
    private NewAgentStep? _last;

    private AgentSession(PipelineDb db, DemoClock time, Random rng, AgentStart start, Guid id)
    {
        _db = db;
        _time = time;
        _rng = rng;
        _start = start;
        _model = ModelProfile.For(start.Type);
        Id = id;
        // A rough 4 characters per token; the exact figure does not matter, only that it grows.
        _systemTokens = start.SystemPrompt.Length / 4 + rng.Next(1200, 2400);
        _context = _systemTokens + start.Task.Length / 4 + rng.Next(200, 900);
    }

    public Guid Id { get; }

    public static async Task<AgentSession> StartAsync(PipelineDb db, DemoClock time, Random rng, AgentStart start, CancellationToken cancellationToken)
    {
        var model = ModelProfile.For(start.Type);
        var id = await PipelinePersistence.CreateAgentInvocationAsync(db, new NewAgentInvocation
        {
            PhaseResultId = start.PhaseResultId,
            ParentInvocationId = start.ParentId,
            AgentType = start.Type,
            ModelProvider = model.Provider,
            ModelId = model.ModelId,
            SystemPrompt = start.SystemPrompt,
            InputMessages = Json.From(new[] { new { role = "user", content = new[] { new { type = "text", text = start.Task } } } }),
        }, cancellationToken);
        return new AgentSession(db, time, rng, start, id);
    }

    /// <summary>Stores a create_memory call's effect and returns the call, to be stored with the step that made it.</summary>
    public async Task<ToolUse> WriteMemoryAsync(MemoryNote note, CancellationToken cancellationToken)
    {
        var recordId = await PipelinePersistence.CreateMemoryRecordAsync(_db, new NewMemoryRecord
        {
            PhaseResultId = _start.PhaseResultId,
            InvocationId = Id,
            Kind = note.Kind,
            Content = note.Content,
        }, cancellationToken);
        return Tools.Memory(note.Kind, note.Content, recordId);
    }

    /// <summary>Stores one model step; a step with tool calls finishes as tool-calls, one without as stop.</summary>
    public async Task StepAsync(string text, IReadOnlyList<ToolUse> tools, CancellationToken cancellationToken)
    {
        var usage = NextUsage(tools.Count);
        // The model's answer takes time to arrive; the step is stored when it has.
        _time.Advance(_model.Latency(usage));
        var finish = tools.Count > 0 ? FinishReason.ToolCalls : FinishReason.Stop;
        var reasoningText = tools.Count > 0
            ? $"Next I need: {string.Join("; ", tools.Select(t => t.Title))}."
            : "I have what I need; writing the answer.";
        var responseId = DemoIds.New(_model.ResponseIdPrefix);
        var raw = _model.RawFinish(finish);
        var step = new NewAgentStep
        {
            InvocationId = Id,
            StepNumber = _steps,
            ModelProvider = _model.Provider,
            ModelId = _model.ModelId,
            FunctionId = $"{Tools.Describe(_start.Phase)}.{Tools.Describe(_start.Type)}",
            Metadata = Json.From(new { phase = Tools.Describe(_start.Phase), agent = Tools.Describe(_start.Type), attempt = 1 }),
            Text = text,
            ReasoningText = reasoningText,
            Reasoning = Json.From(new[] { new { type = "reasoning", text = reasoningText } }),
            Content = Json.From(ContentParts(text, reasoningText, tools, withResults: true)),
            Files = Json.EmptyArray,
            Sources = Json.EmptyArray,
            FinishReason = finish,
            RawFinishReason = raw,
            Usage = usage,
            Warnings = Json.From(_model.Warnings),
            RequestBody = Json.From(new { model = _model.ModelId, max_tokens = 16_000, temperature = 0, messages = 1 + 2 * _steps, tools = Toolset, tool_choice = "auto" }),
            ResponseId = responseId,
            ResponseModelId = _model.ResponseModelId,
            ResponseHeaders = Json.From(new Dictionary<string, string>
            {
                ["content-type"] = "application/json",
                ["request-id"] = DemoIds.New("req_"),
                ["x-ratelimit-remaining-tokens"] = (400_000 - usage.TotalTokens ?? 0).ToString(CultureInfo.InvariantCulture),
            }),
            ResponseBody = Json.From(new { id = responseId, model = _model.ResponseModelId, stop_reason = raw, usage = usage.Raw }),
            ResponseTimestamp = _time.GetUtcNow(),
            ProviderMetadata = Json.From(_model.Metadata(usage)),
        };
        var stepId = await PipelinePersistence.CreateAgentStepAsync(_db, step, cancellationToken);
        foreach (var tool in tools)
        {
            _time.Advance(tool.Duration());
            await PipelinePersistence.CreateToolCallAsync(_db, new NewToolCall
            {
                StepId = stepId,
                ToolCallId = tool.CallId,
                ToolName = tool.Name,
                Input = Json.From(tool.Input),
                Output = tool.Output is null ? null : Json.From(tool.Output),
                OutputType = tool.OutputType,
                Error = tool.Error is null ? null : Json.From(tool.Error),
                Title = tool.Title,
            }, cancellationToken);
        }

        _responseMessages.Add(new { role = "assistant", content = ContentParts(text, reasoningText, tools, withResults: false) });
        if (tools.Any(t => t.Output is not null))
        {
            _responseMessages.Add(new
            {
                role = "tool",
                content = tools.Where(t => t.Output is not null).Select(t => new
                {
                    type = "tool-result",
                    toolCallId = t.CallId,
                    toolName = t.Name,
                    output = new { type = t.SdkOutputType, value = t.Output },
                }).ToArray(),
            });
        }
        _totals.Add(usage);
        _steps++;
        _last = step;
    }

    /// <summary>Completes the invocation with its last step's answer and the totals of all its steps.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        var last = _last ?? throw new InvalidOperationException("An agent completes after at least one step.");
        var totals = _totals.ToUsage(_model);
        await PipelinePersistence.CompleteAgentInvocationAsync(_db, Id, new AgentInvocationCompletion
        {
            FinishReason = last.FinishReason,
            RawFinishReason = last.RawFinishReason,
            OutputText = last.Text,
            OutputReasoningText = last.ReasoningText,
            OutputReasoning = last.Reasoning,
            OutputContent = last.Content,
            OutputFiles = Json.EmptyArray,
            OutputSources = Json.EmptyArray,
            ResponseMessages = Json.From(_responseMessages),
            ResponseId = last.ResponseId,
            ResponseModelId = last.ResponseModelId,
            ResponseHeaders = last.ResponseHeaders,
            ResponseBody = last.ResponseBody,
            ResponseTimestamp = last.ResponseTimestamp,
            ProviderMetadata = Json.From(_model.Metadata(totals)),
            Warnings = Json.From(_model.Warnings),
            RequestBody = last.RequestBody,
            StepCount = _steps,
            Usage = totals,
        }, cancellationToken);
    }

    /// <summary>
    /// Token usage of the next step. Everything up to the previous step is a cache hit (the SDK
    /// resends the whole conversation); what the tools returned since is new input.
    /// </summary>
    private TokenUsage NextUsage(int toolCount)
    {
        var fresh = _steps == 0 ? 0 : _rng.Next(600, 3_200);
        var input = _context + fresh;
        var cacheRead = _steps == 0 ? _systemTokens : _context;
        var uncached = input - cacheRead;
        var cacheWrite = (int)(uncached * (0.5 + _rng.NextDouble() / 2));
        var reasoning = _rng.Next(80, 1_400);
        var text = _rng.Next(40, 500) + toolCount * _rng.Next(30, 160);
        _context = input + reasoning + text;
        var usage = new TokenUsage
        {
            InputTokens = input,
            OutputTokens = reasoning + text,
            TotalTokens = input + reasoning + text,
            InputNoCacheTokens = uncached - cacheWrite,
            InputCacheReadTokens = cacheRead,
            InputCacheWriteTokens = cacheWrite,
            OutputTextTokens = text,
            OutputReasoningTokens = reasoning,
        };
        return usage with { Raw = Json.From(_model.RawUsage(usage)) };
    }

    private static object[] ContentParts(string text, string reasoningText, IReadOnlyList<ToolUse> tools, bool withResults)
    {
        var parts = new List<object>
        {
            new { type = "reasoning", text = reasoningText },
            new { type = "text", text },
        };
        parts.AddRange(tools.Select(t => new { type = "tool-call", toolCallId = t.CallId, toolName = t.Name, input = t.Input }));
        if (withResults)
        {
            parts.AddRange(tools.Where(t => t.Output is not null)
                .Select(t => new { type = "tool-result", toolCallId = t.CallId, toolName = t.Name, output = t.Output }));
        }
        return [.. parts];
    }
}
