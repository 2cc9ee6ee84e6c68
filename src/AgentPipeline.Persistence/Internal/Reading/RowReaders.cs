using System.Text.Json;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence.Internal.Reading;

/// <summary>
/// Maps a row of one table, selected by its <see cref="Projection"/>, to its public record. Each
/// reader resolves its ordinals once; <c>Whole</c> reads every column, <c>Light</c>
/// (where a table has large columns) leaves them out for <see cref="RunTreeOptions.IncludeContent"/> false.
/// </summary>
internal static class RowReaders
{
    /// <summary>The large columns of each table, left out of a tree read without content.</summary>
    private static readonly string[] InvocationLarge =
    [
        "system_prompt", "input_messages", "output_text", "output_reasoning_text", "output_reasoning", "output_content",
        "output_files", "output_sources", "response_messages", "response_headers", "response_body", "provider_metadata",
        "request_body", "usage_raw",
    ];

    private static readonly string[] StepLarge =
    [
        "text", "reasoning_text", "reasoning", "content", "files", "sources", "request_body", "response_headers",
        "response_body", "provider_metadata", "usage_raw",
    ];

    private static readonly string[] ToolCallLarge = ["input", "output", "error", "provider_metadata"];

    private static readonly string[] PhaseLarge = ["output"];

    public static TokenUsage? Usage(Row r, int[] ordinals)
    {
        Span<long?> counts = stackalloc long?[8];
        var any = false;
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = r.LongOrNull(ordinals[i]);
            any |= counts[i] is not null;
        }
        var raw = r.JsonOrNull(ordinals[8]);
        if (!any && raw is null)
        {
            return null;
        }
        return new TokenUsage
        {
            InputTokens = counts[0], OutputTokens = counts[1], TotalTokens = counts[2], InputNoCacheTokens = counts[3],
            InputCacheReadTokens = counts[4], InputCacheWriteTokens = counts[5], OutputTextTokens = counts[6],
            OutputReasoningTokens = counts[7], Raw = raw,
        };
    }

    private static int[] UsageOrdinals(Projection p) => [.. UsageColumns.Params.Select(c => p[c.Name])];

    public sealed class Runs(Projection p)
    {
        public static readonly Runs Whole = new(new Projection(FeatureRuns.Definition));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _prompt = p.Required("prompt"), _sandbox = p["sandbox_id"],
            _repo = p["github_repo_url"], _branch = p["github_branch"], _phase = p.Required("current_phase"),
            _created = p.Required("created_at"), _completed = p["completed_at"];

        /// <summary>The stored columns; the derived facts are the caller's to fill.</summary>
        public FeatureRun Read(Row r) => new()
        {
            Id = r.Guid(_id), Prompt = r.Text(_prompt), SandboxId = r.TextOrNull(_sandbox), GithubRepoUrl = r.TextOrNull(_repo),
            GithubBranch = r.TextOrNull(_branch), CurrentPhase = r.Enum<FeaturePhase>(_phase), CreatedAt = r.Time(_created),
            CompletedAt = r.TimeOrNull(_completed), Status = default, Tokens = new TokenUsage(),
        };
    }

    public sealed class Sandboxes(Projection p)
    {
        public static readonly Sandboxes Whole = new(new Projection(Tables.Sandboxes.Definition));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p["run_id"], _status = p.Required("status"), _runtime = p["runtime"],
            _memory = p["memory"], _vcpus = p["vcpus"], _region = p["region"], _cwd = p["cwd"], _timeout = p["timeout"],
            _policy = p["network_policy"], _port = p["interactive_port"], _routes = p["routes"], _sourceSnapshot = p["source_snapshot_id"],
            _sourceType = p["source_type"], _sourceUrl = p["source_url"], _sourceRevision = p["source_revision"],
            _sourceDepth = p["source_depth"], _requested = p["requested_at"], _created = p.Required("created_at"),
            _started = p["started_at"], _stopRequested = p["requested_stop_at"], _stopped = p["stopped_at"],
            _aborted = p["aborted_at"], _snapshotted = p["snapshotted_at"], _duration = p["duration"];

        public Sandbox Read(Row r) => new()
        {
            Id = r.Text(_id), RunId = r.GuidOrNull(_run), Status = r.Enum<SandboxStatus>(_status), Runtime = r.TextOrNull(_runtime),
            Memory = r.IntOrNull(_memory), Vcpus = r.IntOrNull(_vcpus), Region = r.TextOrNull(_region), Cwd = r.TextOrNull(_cwd),
            Timeout = r.IntOrNull(_timeout), NetworkPolicy = r.JsonOrNull(_policy), InteractivePort = r.IntOrNull(_port),
            Routes = r.JsonOrNull(_routes), SourceSnapshotId = r.TextOrNull(_sourceSnapshot),
            SourceType = r.EnumOrNull<SandboxSourceType>(_sourceType), SourceUrl = r.TextOrNull(_sourceUrl),
            SourceRevision = r.TextOrNull(_sourceRevision), SourceDepth = r.IntOrNull(_sourceDepth),
            RequestedAt = r.TimeOrNull(_requested), CreatedAt = r.Time(_created), StartedAt = r.TimeOrNull(_started),
            RequestedStopAt = r.TimeOrNull(_stopRequested), StoppedAt = r.TimeOrNull(_stopped), AbortedAt = r.TimeOrNull(_aborted),
            SnapshottedAt = r.TimeOrNull(_snapshotted), Duration = r.IntOrNull(_duration),
        };
    }

    public sealed class Snapshots(Projection p)
    {
        public static readonly Snapshots Whole = new(new Projection(SandboxSnapshots.Definition));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _sandbox = p.Required("sandbox_id"), _run = p["run_id"],
            _status = p.Required("status"), _size = p["size_bytes"], _region = p["region"], _expires = p["expires_at"],
            _created = p.Required("created_at");

        public SandboxSnapshot Read(Row r) => new()
        {
            Id = r.Text(_id), SandboxId = r.Text(_sandbox), RunId = r.GuidOrNull(_run), Status = r.Enum<SnapshotStatus>(_status),
            SizeBytes = r.LongOrNull(_size), Region = r.TextOrNull(_region), ExpiresAt = r.TimeOrNull(_expires), CreatedAt = r.Time(_created),
        };
    }

    public sealed class Phases(Projection p)
    {
        public static readonly Phases Whole = new(new Projection(PhaseResults.Definition));
        public static readonly Phases Light = new(new Projection(PhaseResults.Definition, PhaseLarge));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p.Required("run_id"), _phase = p.Required("phase"),
            _status = p.Required("status"), _output = p["output"], _started = p.Required("started_at"), _completed = p["completed_at"];

        public PhaseResult Read(Row r) => new()
        {
            Id = r.Guid(_id), RunId = r.Guid(_run), Phase = r.Enum<FeaturePhase>(_phase), Status = r.Enum<PhaseStatus>(_status),
            Output = r.JsonOrNull(_output), StartedAt = r.Time(_started), CompletedAt = r.TimeOrNull(_completed),
        };
    }

    public sealed class Invocations(Projection p)
    {
        public static readonly Invocations Whole = new(new Projection(AgentInvocations.Definition));
        public static readonly Invocations Light = new(new Projection(AgentInvocations.Definition, InvocationLarge));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p.Required("run_id"), _phase = p.Required("phase_result_id"),
            _parent = p["parent_invocation_id"], _type = p.Required("agent_type"), _provider = p["model_provider"], _model = p["model_id"],
            _system = p["system_prompt"], _input = p["input_messages"], _finish = p["finish_reason"], _rawFinish = p["raw_finish_reason"],
            _text = p["output_text"], _reasoningText = p["output_reasoning_text"], _reasoning = p["output_reasoning"],
            _content = p["output_content"], _files = p["output_files"], _sources = p["output_sources"],
            _messages = p["response_messages"], _responseId = p["response_id"], _responseModel = p["response_model_id"],
            _headers = p["response_headers"], _body = p["response_body"], _timestamp = p["response_timestamp"],
            _metadata = p["provider_metadata"], _warnings = p["warnings"], _request = p["request_body"], _steps = p["step_count"],
            _started = p.Required("started_at"), _completed = p["completed_at"];
        private readonly int[] _usage = UsageOrdinals(p);

        public AgentInvocation Read(Row r) => new()
        {
            Id = r.Guid(_id), RunId = r.Guid(_run), PhaseResultId = r.Guid(_phase), ParentInvocationId = r.GuidOrNull(_parent),
            AgentType = r.Enum<AgentType>(_type), ModelProvider = r.TextOrNull(_provider), ModelId = r.TextOrNull(_model),
            SystemPrompt = r.TextOrNull(_system), InputMessages = r.JsonOrNull(_input), FinishReason = r.EnumOrNull<FinishReason>(_finish),
            RawFinishReason = r.TextOrNull(_rawFinish), OutputText = r.TextOrNull(_text), OutputReasoningText = r.TextOrNull(_reasoningText),
            OutputReasoning = r.JsonOrNull(_reasoning), OutputContent = r.JsonOrNull(_content), OutputFiles = r.JsonOrNull(_files),
            OutputSources = r.JsonOrNull(_sources), ResponseMessages = r.JsonOrNull(_messages), ResponseId = r.TextOrNull(_responseId),
            ResponseModelId = r.TextOrNull(_responseModel), ResponseHeaders = r.JsonOrNull(_headers), ResponseBody = r.JsonOrNull(_body),
            ResponseTimestamp = r.TimeOrNull(_timestamp), ProviderMetadata = r.JsonOrNull(_metadata), Warnings = r.JsonOrNull(_warnings),
            RequestBody = r.JsonOrNull(_request), StepCount = r.IntOrNull(_steps), Usage = Usage(r, _usage),
            StartedAt = r.Time(_started), CompletedAt = r.TimeOrNull(_completed),
        };
    }

    public sealed class Steps(Projection p)
    {
        public static readonly Steps Whole = new(new Projection(AgentSteps.Definition));
        public static readonly Steps Light = new(new Projection(AgentSteps.Definition, StepLarge));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p.Required("run_id"), _invocation = p.Required("invocation_id"),
            _number = p.Required("step_number"), _provider = p["model_provider"], _model = p["model_id"], _function = p["function_id"],
            _metadata = p["metadata"], _text = p["text"], _reasoningText = p["reasoning_text"], _reasoning = p["reasoning"],
            _content = p["content"], _files = p["files"], _sources = p["sources"], _finish = p["finish_reason"],
            _rawFinish = p["raw_finish_reason"], _warnings = p["warnings"], _request = p["request_body"], _responseId = p["response_id"],
            _responseModel = p["response_model_id"], _headers = p["response_headers"], _body = p["response_body"],
            _timestamp = p["response_timestamp"], _providerMetadata = p["provider_metadata"], _created = p.Required("created_at");
        private readonly int[] _usage = UsageOrdinals(p);

        public AgentStep Read(Row r) => new()
        {
            Id = r.Guid(_id), RunId = r.Guid(_run), InvocationId = r.Guid(_invocation), StepNumber = r.Int(_number),
            ModelProvider = r.TextOrNull(_provider), ModelId = r.TextOrNull(_model), FunctionId = r.TextOrNull(_function),
            Metadata = r.JsonOrNull(_metadata), Text = r.TextOrNull(_text), ReasoningText = r.TextOrNull(_reasoningText),
            Reasoning = r.JsonOrNull(_reasoning), Content = r.JsonOrNull(_content), Files = r.JsonOrNull(_files),
            Sources = r.JsonOrNull(_sources), FinishReason = r.EnumOrNull<FinishReason>(_finish), RawFinishReason = r.TextOrNull(_rawFinish),
            Usage = Usage(r, _usage), Warnings = r.JsonOrNull(_warnings), RequestBody = r.JsonOrNull(_request),
            ResponseId = r.TextOrNull(_responseId), ResponseModelId = r.TextOrNull(_responseModel), ResponseHeaders = r.JsonOrNull(_headers),
            ResponseBody = r.JsonOrNull(_body), ResponseTimestamp = r.TimeOrNull(_timestamp),
            ProviderMetadata = r.JsonOrNull(_providerMetadata), CreatedAt = r.Time(_created),
        };
    }

    public sealed class Tools(Projection p)
    {
        public static readonly Tools Whole = new(new Projection(ToolCalls.Definition));
        public static readonly Tools Light = new(new Projection(ToolCalls.Definition, ToolCallLarge));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p.Required("run_id"), _step = p.Required("step_id"),
            _invocation = p.Required("invocation_id"), _callId = p.Required("tool_call_id"), _name = p.Required("tool_name"),
            _input = p["input"], _output = p["output"], _outputType = p["output_type"], _dynamic = p.Required("is_dynamic"),
            _invalid = p.Required("is_invalid"), _error = p["error"], _preliminary = p.Required("is_preliminary"),
            _providerExecuted = p.Required("is_provider_executed"), _title = p["title"], _metadata = p["provider_metadata"],
            _created = p.Required("created_at");

        public ToolCall Read(Row r) => new()
        {
            Id = r.Guid(_id), RunId = r.Guid(_run), StepId = r.Guid(_step), InvocationId = r.Guid(_invocation),
            ToolCallId = r.Text(_callId), ToolName = r.Text(_name), Input = r.JsonOrNull(_input), Output = r.JsonOrNull(_output),
            OutputType = r.EnumOrNull<ToolOutputType>(_outputType), IsDynamic = r.Bool(_dynamic), IsInvalid = r.Bool(_invalid),
            Error = r.JsonOrNull(_error), IsPreliminary = r.Bool(_preliminary), IsProviderExecuted = r.Bool(_providerExecuted),
            Title = r.TextOrNull(_title), ProviderMetadata = r.JsonOrNull(_metadata), CreatedAt = r.Time(_created),
        };
    }

    public sealed class Memory(Projection p)
    {
        public static readonly Memory Whole = new(new Projection(MemoryRecords.Definition));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p.Required("run_id"), _phaseResult = p.Required("phase_result_id"),
            _invocation = p["invocation_id"], _phase = p.Required("phase"), _kind = p.Required("kind"), _content = p.Required("content"),
            _created = p.Required("created_at");

        public int Seq { get; } = p.Required("seq");

        public MemoryRecord Read(Row r) => new(r.Guid(_id), r.Enum<FeaturePhase>(_phase), r.Enum<MemoryKind>(_kind), r.Text(_content), r.Time(_created))
        {
            RunId = r.Guid(_run), PhaseResultId = r.Guid(_phaseResult), InvocationId = r.GuidOrNull(_invocation),
        };
    }

    public sealed class Ctas(Projection p)
    {
        public static readonly Ctas Whole = new(new Projection(CtaEvents.Definition));
        public Projection Projection { get; } = p;
        private readonly int _id = p.Required("id"), _run = p.Required("run_id"), _phase = p["phase_result_id"], _invocation = p["invocation_id"],
            _toolCall = p["tool_call_id"], _kind = p.Required("kind"), _message = p["request_message"], _prompt = p["request_prompt"],
            _placeholder = p["request_placeholder"], _options = p["request_options"], _approved = p["response_approved"],
            _reason = p["response_reason"], _text = p["response_text"], _selected = p["response_selected_id"],
            _requested = p.Required("requested_at"), _responded = p["responded_at"], _timedOut = p.Required("timed_out");

        public CtaEvent Read(Row r)
        {
            var timedOut = r.Bool(_timedOut);
            var respondedAt = r.TimeOrNull(_responded);
            return new()
            {
                Id = r.Guid(_id), RunId = r.Guid(_run), PhaseResultId = r.GuidOrNull(_phase), InvocationId = r.GuidOrNull(_invocation),
                ToolCallId = r.TextOrNull(_toolCall), Kind = r.Enum<CtaKind>(_kind), RequestMessage = r.TextOrNull(_message),
                RequestPrompt = r.TextOrNull(_prompt), RequestPlaceholder = r.TextOrNull(_placeholder),
                RequestOptions = r.JsonOrNull(_options) is { } options ? Options(options) : null, RequestedAt = r.Time(_requested),
                Resolution = respondedAt is not { } at ? null : new CtaResolution(timedOut, timedOut ? null : new CtaResponse
                {
                    Approved = r.BoolOrNull(_approved), Reason = r.TextOrNull(_reason), Text = r.TextOrNull(_text),
                    SelectedId = r.TextOrNull(_selected),
                }, at),
            };
        }

        // The store wrote [{"id", "label"}]; strings are read from their raw text so a lone surrogate survives.
        private static CtaOption[] Options(JsonElement options) =>
            [.. options.EnumerateArray().Select(o => new CtaOption(String(o.GetProperty("id")), String(o.GetProperty("label"))))];

        private static string String(JsonElement value) => DbJson.StringOf(value);
    }
}
