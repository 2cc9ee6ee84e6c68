using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Workloads;

namespace AgentPipeline.Persistence.Benchmarks.Baseline;

/// <summary>
/// The baseline every benchmark compares with: hand-written, prepared ADO.NET doing the database
/// work of the library's functions: the same statements (<see cref="RawSql"/>), the same follow-up
/// reads when a write matched no row (replay, conflict, missing parent, state already final), the
/// same value encodings (SQLite: uuids as lower-case text, instants as fixed-width ISO-8601 text,
/// JSON as text; PostgreSQL: uuid, timestamptz, json). Values are bound straight from the
/// caller's record into the command's parameters, by position. What it leaves out is what is not
/// database work: argument validation and the library's text escaping.
/// </summary>
/// <remarks>
/// The provider part is four methods: how a call gets its connection and its command, and how it
/// gives them back (<see cref="SqliteRawStore"/>: one connection, its commands prepared once, an
/// in-process write lock; <see cref="PostgresRawStore"/>: a connection per call from an
/// NpgsqlDataSource, explicitly prepared commands).
/// </remarks>
internal abstract class RawStore : IPipelineCalls, IAsyncDisposable
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private static readonly string[] FinishReasons = ["stop", "length", "content-filter", "tool-calls", "error", "other"];
    private static readonly string[] ToolOutputTypes = ["text", "json", "execution-denied", "error-text", "error-json", "content"];
    private static readonly string[] MemoryKinds = ["insight", "failure", "decision", "constraint"];
    private static readonly string[] Phases = ["analysis", "approaches", "judging", "implementation", "pr", "completed", "failed"];
    private static readonly string[] AgentTypes = ["orchestrator", "explorer", "coder", "judge", "meta_judge"];
    private static readonly string[] CtaKinds = ["approval", "text", "choice"];

    private readonly bool _sqlite;

    protected RawStore(PipelineProvider provider)
    {
        Provider = provider;
        _sqlite = provider == PipelineProvider.Sqlite;
    }

    public PipelineProvider Provider { get; }

    public static RawStore Open(BenchDatabase database) => database.Provider == PipelineProvider.Sqlite
        ? new SqliteRawStore(database.Target)
        : new PostgresRawStore(database.Target);

    protected abstract ValueTask<DbConnection> EnterAsync(CancellationToken cancellationToken);

    protected abstract ValueTask LeaveAsync(DbConnection connection);

    protected abstract ValueTask<DbCommand> CommandAsync(DbConnection connection, RawStatement statement, CancellationToken cancellationToken);

    protected abstract ValueTask DoneAsync(DbCommand command);

    public abstract ValueTask DisposeAsync();

    // ---- feature runs ----

    public async Task<Guid> CreateFeatureRunAsync(NewFeatureRun data, CancellationToken cancellationToken = default)
    {
        if (data.SandboxId is not null)
        {
            throw new NotSupportedException("The baseline has no sandbox claim: no benchmark creates sandboxes.");
        }
        var id = data.Id ?? Guid.CreateVersion7();
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.RunInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetText(p[1], data.Prompt);
                SetText(p[2], null);
                SetText(p[3], data.GithubRepoUrl);
                SetText(p[4], data.GithubBranch);
                SetTime(p[5], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                return await StoredReplayAsync(connection, command, RawSql.RunColumns, RawSql.RunById, null, null, "feature_runs", data.Id is not null, cancellationToken)
                    ?? throw Unexplained("feature_runs");
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task UpdateFeatureRunPhaseAsync(Guid runId, FeaturePhase phase, CancellationToken cancellationToken = default)
    {
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.SetRunPhase, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetText(p[0], Phases[(int)phase]);
                SetGuid(p[1], runId);
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return;
                }
                var current = await RowAsync(connection, RawSql.RunPhase, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("feature_runs", runId.ToString());
                throw new InvalidStateTransitionException("feature_runs", runId.ToString(), (string)current[0]!, Phases[(int)phase]);
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task CompleteFeatureRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.EndRun, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetText(p[0], "completed");
                SetTime(p[1], Now());
                SetGuid(p[2], runId);
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return;
                }
                var current = await RowAsync(connection, RawSql.RunPhase, cancellationToken, p[2].Value)
                    ?? throw new RecordNotFoundException("feature_runs", runId.ToString());
                if ((string)current[0]! != "completed")
                {
                    throw new InvalidStateTransitionException("feature_runs", runId.ToString(), (string)current[0]!, "completed");
                }
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    // ---- phase results ----

    public async Task<Guid> CreatePhaseResultAsync(NewPhaseResult data, CancellationToken cancellationToken = default)
    {
        var id = data.Id ?? Guid.CreateVersion7();
        var phase = Phases[(int)data.Phase];
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.PhaseResultInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetGuid(p[1], data.RunId);
                SetText(p[2], phase);
                SetTime(p[3], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                if (await StoredReplayAsync(connection, command, RawSql.PhaseResultColumns, RawSql.PhaseResultById, null, null, "phase_results", data.Id is not null, cancellationToken) is { } stored)
                {
                    return stored;
                }
                var run = await RowAsync(connection, RawSql.RunPhase, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("feature_runs", data.RunId.ToString());
                throw new InvalidStateTransitionException("feature_runs", data.RunId.ToString(), (string)run[0]!, phase);
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task PassPhaseResultAsync(Guid phaseResultId, JsonElement? output, CancellationToken cancellationToken = default)
    {
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.EndPhaseResult, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetText(p[0], "passed");
                SetJson(p[1], output);
                SetTime(p[2], Now());
                SetGuid(p[3], phaseResultId);
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return;
                }
                var state = await RowAsync(connection, RawSql.PhaseResultState, cancellationToken, p[3].Value)
                    ?? throw new RecordNotFoundException("phase_results", phaseResultId.ToString());
                var current = (string)state[0]!;
                if (current != "passed" || !Same(RawType.Json, p[1].Value, state[1]))
                {
                    throw new InvalidStateTransitionException("phase_results", phaseResultId.ToString(), current,
                        current == "passed" ? "passed (with a different output)" : "passed");
                }
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    // ---- agent invocations ----

    public async Task<Guid> CreateAgentInvocationAsync(NewAgentInvocation data, CancellationToken cancellationToken = default)
    {
        var id = data.Id ?? Guid.CreateVersion7();
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.InvocationInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetGuid(p[1], data.PhaseResultId);
                SetGuid(p[2], data.ParentInvocationId);
                SetText(p[3], AgentTypes[(int)data.AgentType]);
                SetText(p[4], data.ModelProvider);
                SetText(p[5], data.ModelId);
                SetText(p[6], data.SystemPrompt);
                SetJson(p[7], data.InputMessages);
                SetTime(p[8], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                if (await StoredReplayAsync(connection, command, RawSql.InvocationColumns, RawSql.InvocationById, null, null, "agent_invocations", data.Id is not null, cancellationToken) is { } stored)
                {
                    return stored;
                }
                _ = await RowAsync(connection, RawSql.PhaseResultExists, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("phase_results", data.PhaseResultId.ToString());
                if (data.ParentInvocationId is { } parentId)
                {
                    var parent = await RowAsync(connection, RawSql.InvocationPhaseResult, cancellationToken, p[2].Value)
                        ?? throw new RecordNotFoundException("agent_invocations", parentId.ToString());
                    throw new ArgumentException($"data.ParentInvocationId '{parentId}' belongs to phase result '{parent[0]}', not '{data.PhaseResultId}'.", "data.ParentInvocationId");
                }
                throw Unexplained("agent_invocations");
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task CompleteAgentInvocationAsync(Guid invocationId, AgentInvocationCompletion data, CancellationToken cancellationToken = default)
    {
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.CompleteInvocation, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetText(p[0], data.FinishReason is { } finish ? FinishReasons[(int)finish] : null);
                SetText(p[1], data.RawFinishReason);
                SetText(p[2], data.OutputText);
                SetText(p[3], data.OutputReasoningText);
                SetJson(p[4], data.OutputReasoning);
                SetJson(p[5], data.OutputContent);
                SetJson(p[6], data.OutputFiles);
                SetJson(p[7], data.OutputSources);
                SetJson(p[8], data.ResponseMessages);
                SetText(p[9], data.ResponseId);
                SetText(p[10], data.ResponseModelId);
                SetJson(p[11], data.ResponseHeaders);
                SetJson(p[12], data.ResponseBody);
                SetTime(p[13], data.ResponseTimestamp);
                SetJson(p[14], data.ProviderMetadata);
                SetJson(p[15], data.Warnings);
                SetJson(p[16], data.RequestBody);
                SetInt(p[17], data.StepCount);
                SetUsage(p, 18, data.Usage);
                SetTime(p[27], Now());
                SetGuid(p[28], invocationId);
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return;
                }
                var stored = await RowAsync(connection, RawSql.InvocationCompletion, cancellationToken, p[28].Value)
                    ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
                var differing = Differences(RawSql.CompletionColumns, p, stored, firstColumn: 0, storedOffset: 1);
                if (differing.Count > 0)
                {
                    throw new InvalidStateTransitionException("agent_invocations", invocationId.ToString(), "completed",
                        $"completed with different {string.Join(", ", differing)}");
                }
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    // ---- agent steps and tool calls ----

    public async Task<Guid> CreateAgentStepAsync(NewAgentStep data, CancellationToken cancellationToken = default)
    {
        var id = data.Id ?? Guid.CreateVersion7();
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.StepInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetGuid(p[1], data.InvocationId);
                SetInt(p[2], data.StepNumber);
                SetText(p[3], data.ModelProvider);
                SetText(p[4], data.ModelId);
                SetText(p[5], data.FunctionId);
                SetJson(p[6], data.Metadata);
                SetText(p[7], data.Text);
                SetText(p[8], data.ReasoningText);
                SetJson(p[9], data.Reasoning);
                SetJson(p[10], data.Content);
                SetJson(p[11], data.Files);
                SetJson(p[12], data.Sources);
                SetText(p[13], data.FinishReason is { } finish ? FinishReasons[(int)finish] : null);
                SetText(p[14], data.RawFinishReason);
                SetUsage(p, 15, data.Usage);
                SetJson(p[24], data.Warnings);
                SetJson(p[25], data.RequestBody);
                SetText(p[26], data.ResponseId);
                SetText(p[27], data.ResponseModelId);
                SetJson(p[28], data.ResponseHeaders);
                SetJson(p[29], data.ResponseBody);
                SetTime(p[30], data.ResponseTimestamp);
                SetJson(p[31], data.ProviderMetadata);
                SetTime(p[32], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                if (await StoredReplayAsync(connection, command, RawSql.StepColumns, RawSql.StepById, RawSql.StepByKey, [1, 2], "agent_steps", data.Id is not null, cancellationToken) is { } stored)
                {
                    return stored;
                }
                _ = await RowAsync(connection, RawSql.InvocationExists, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("agent_invocations", data.InvocationId.ToString());
                throw Unexplained("agent_steps");
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task<Guid> CreateToolCallAsync(NewToolCall data, CancellationToken cancellationToken = default)
    {
        var id = data.Id ?? Guid.CreateVersion7();
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.ToolCallInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetGuid(p[1], data.StepId);
                SetText(p[2], data.ToolCallId);
                SetText(p[3], data.ToolName);
                SetJson(p[4], data.Input);
                SetJson(p[5], data.Output);
                SetText(p[6], data.OutputType is { } type ? ToolOutputTypes[(int)type] : null);
                SetBool(p[7], data.IsDynamic);
                SetBool(p[8], data.IsInvalid);
                SetJson(p[9], data.Error);
                SetBool(p[10], data.IsPreliminary);
                SetBool(p[11], data.IsProviderExecuted);
                SetText(p[12], data.Title);
                SetJson(p[13], data.ProviderMetadata);
                SetTime(p[14], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                if (await StoredReplayAsync(connection, command, RawSql.ToolCallColumns, RawSql.ToolCallById, RawSql.ToolCallByKey, [1, 2], "tool_calls", data.Id is not null, cancellationToken) is { } stored)
                {
                    return stored;
                }
                _ = await RowAsync(connection, RawSql.StepExists, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("agent_steps", data.StepId.ToString());
                throw Unexplained("tool_calls");
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    // ---- memory records ----

    public async Task<Guid> CreateMemoryRecordAsync(NewMemoryRecord data, CancellationToken cancellationToken = default)
    {
        var id = data.Id ?? Guid.CreateVersion7();
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.MemoryInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetGuid(p[1], data.PhaseResultId);
                SetGuid(p[2], data.InvocationId);
                SetText(p[3], MemoryKinds[(int)data.Kind]);
                SetText(p[4], data.Content);
                SetTime(p[5], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                if (await StoredReplayAsync(connection, command, RawSql.MemoryColumns, RawSql.MemoryById, null, null, "memory_records", data.Id is not null, cancellationToken) is { } stored)
                {
                    return stored;
                }
                _ = await RowAsync(connection, RawSql.PhaseResultExists, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("phase_results", data.PhaseResultId.ToString());
                if (data.InvocationId is { } invocationId)
                {
                    var run = await RowAsync(connection, RawSql.InvocationRun, cancellationToken, p[2].Value)
                        ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
                    throw new ArgumentException($"data.InvocationId '{invocationId}' belongs to run '{run[0]}', not to the phase result's run.", "data.InvocationId");
                }
                throw Unexplained("memory_records");
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task<IReadOnlyList<MemoryRecord>> GetMemoryRecordsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, _sqlite ? RawSql.MemoryByRun : RawSql.MemoryByRunUnordered, cancellationToken);
            try
            {
                SetGuid(command.Parameters[0], runId);
                var records = new List<MemoryRecord>();
                List<long>? seqs = _sqlite ? null : [];
                var inOrder = true;
                var reader = await command.ExecuteReaderAsync(cancellationToken);
                await using (reader)
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        var record = new MemoryRecord(ReadGuid(reader, 0), ParsePhase(reader.GetString(1)), ParseKind(reader.GetString(2)),
                            reader.GetString(3), ReadTime(reader, 4))
                        {
                            RunId = ReadGuid(reader, 5),
                            PhaseResultId = ReadGuid(reader, 6),
                            InvocationId = reader.IsDBNull(7) ? null : ReadGuid(reader, 7),
                        };
                        if (seqs is not null)
                        {
                            var seq = reader.GetInt64(8);
                            if (records.Count > 0 && (records[^1].CreatedAt, seqs[^1]).CompareTo((record.CreatedAt, seq)) > 0)
                            {
                                inOrder = false;
                            }
                            seqs.Add(seq);
                        }
                        records.Add(record);
                    }
                }
                if (!inOrder)
                {
                    var keys = records.Select((r, i) => (r.CreatedAt, seqs![i])).ToArray();
                    var sorted = records.ToArray();
                    Array.Sort(keys, sorted);
                    records = [.. sorted];
                }
                if (records.Count == 0)
                {
                    _ = await RowAsync(connection, RawSql.RunExists, cancellationToken, command.Parameters[0].Value)
                        ?? throw new RecordNotFoundException("feature_runs", runId.ToString());
                }
                return records;
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    // ---- CTA events ----

    public async Task<Guid> CreateCtaEventAsync(NewCtaEvent data, CancellationToken cancellationToken = default)
    {
        var id = data.Id ?? Guid.CreateVersion7();
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var command = await CommandAsync(connection, RawSql.CtaInsert, cancellationToken);
            try
            {
                var p = command.Parameters;
                SetGuid(p[0], id);
                SetGuid(p[1], data.RunId);
                SetGuid(p[2], data.PhaseResultId);
                SetGuid(p[3], data.InvocationId);
                SetText(p[4], data.ToolCallId);
                SetText(p[5], CtaKinds[(int)data.Kind]);
                SetText(p[6], data.RequestMessage);
                SetText(p[7], data.RequestPrompt);
                SetText(p[8], data.RequestPlaceholder);
                p[9].Value = data.RequestOptions is { } options
                    ? JsonSerializer.Serialize(options.Select(o => new { id = o.Id, label = o.Label }))
                    : DBNull.Value;
                SetTime(p[10], Now());
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return id;
                }
                if (await StoredReplayAsync(connection, command, RawSql.CtaColumns, RawSql.CtaById, null, null, "cta_events", data.Id is not null, cancellationToken) is { } stored)
                {
                    return stored;
                }
                _ = await RowAsync(connection, RawSql.RunExists, cancellationToken, p[1].Value)
                    ?? throw new RecordNotFoundException("feature_runs", data.RunId.ToString());
                if (data.PhaseResultId is { } phaseResultId)
                {
                    var owner = await RowAsync(connection, RawSql.PhaseResultRun, cancellationToken, p[2].Value)
                        ?? throw new RecordNotFoundException("phase_results", phaseResultId.ToString());
                    if (!Same(RawType.Uuid, p[1].Value, owner[0]))
                    {
                        throw new ArgumentException($"data.PhaseResultId '{phaseResultId}' belongs to run '{owner[0]}', not '{data.RunId}'.", "data.PhaseResultId");
                    }
                }
                if (data.InvocationId is { } invocationId)
                {
                    var owner = await RowAsync(connection, RawSql.InvocationRun, cancellationToken, p[3].Value)
                        ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
                    throw new ArgumentException($"data.InvocationId '{invocationId}' belongs to run '{owner[0]}', not '{data.RunId}'.", "data.InvocationId");
                }
                throw Unexplained("cta_events");
            }
            finally
            {
                await DoneAsync(command);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    public async Task CompleteCtaEventAsync(Guid ctaId, CtaResponse response, CancellationToken cancellationToken = default)
    {
        var connection = await EnterAsync(cancellationToken);
        try
        {
            var state = await CtaStateAsync(connection, ctaId, cancellationToken)
                ?? throw new RecordNotFoundException("cta_events", ctaId.ToString());
            CheckAnswer(state.Kind, state.Options, response);
            if (state.RespondedAt is null)
            {
                var command = await CommandAsync(connection, RawSql.AnswerCta, cancellationToken);
                try
                {
                    var p = command.Parameters;
                    SetBool(p[0], response.Approved);
                    SetText(p[1], response.Reason);
                    SetText(p[2], response.Text);
                    SetText(p[3], response.SelectedId);
                    SetTime(p[4], Now());
                    SetGuid(p[5], ctaId);
                    if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                    {
                        return;
                    }
                }
                finally
                {
                    await DoneAsync(command);
                }
                state = await CtaStateAsync(connection, ctaId, cancellationToken)
                    ?? throw new RecordNotFoundException("cta_events", ctaId.ToString());
            }
            var resolution = new CtaResolution(state.TimedOut, state.TimedOut ? null : state.Response, state.RespondedAt!.Value);
            if (resolution.TimedOut || resolution.Response != response)
            {
                throw new CtaAlreadyResolvedException(ctaId, resolution);
            }
        }
        finally
        {
            await LeaveAsync(connection);
        }
    }

    private readonly record struct CtaState(string Kind, string? Options, DateTimeOffset? RespondedAt, bool TimedOut, CtaResponse? Response);

    private async Task<CtaState?> CtaStateAsync(DbConnection connection, Guid ctaId, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(connection, RawSql.CtaState, cancellationToken);
        try
        {
            SetGuid(command.Parameters[0], ctaId);
            var reader = await command.ExecuteReaderAsync(cancellationToken);
            await using (reader)
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }
                var respondedAt = reader.IsDBNull(2) ? (DateTimeOffset?)null : ReadTime(reader, 2);
                return new CtaState(
                    reader.GetString(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    respondedAt,
                    reader.GetBoolean(3),
                    respondedAt is null ? null : new CtaResponse
                    {
                        Approved = reader.IsDBNull(4) ? null : reader.GetBoolean(4),
                        Reason = reader.IsDBNull(5) ? null : reader.GetString(5),
                        Text = reader.IsDBNull(6) ? null : reader.GetString(6),
                        SelectedId = reader.IsDBNull(7) ? null : reader.GetString(7),
                    });
            }
        }
        finally
        {
            await DoneAsync(command);
        }
    }

    /// <summary>Answers match questions (api.md rule 6): checked against the stored kind and options.</summary>
    private static void CheckAnswer(string kind, string? options, CtaResponse response)
    {
        switch (kind)
        {
            case "approval":
                if (response.Approved is null || response.Text is not null || response.SelectedId is not null)
                {
                    throw new ArgumentException("An approval CTA is answered with Approved (and an optional Reason) only.", nameof(response));
                }
                break;
            case "text":
                if (response.Text is null || response.Approved is not null || response.Reason is not null || response.SelectedId is not null)
                {
                    throw new ArgumentException("A text CTA is answered with Text only.", nameof(response));
                }
                break;
            default:
                if (response.SelectedId is not { } selected || response.Approved is not null || response.Reason is not null || response.Text is not null)
                {
                    throw new ArgumentException("A choice CTA is answered with SelectedId only.", nameof(response));
                }
                using (var document = JsonDocument.Parse(options ?? "[]"))
                {
                    if (!document.RootElement.EnumerateArray().Any(o => o.GetProperty("id").GetString() == selected))
                    {
                        throw new ArgumentException($"'{selected}' is not one of the CTA's options.", nameof(response));
                    }
                }
                break;
        }
    }

    // ---- binding and reading ----

    private static DateTimeOffset Now()
    {
        var ticks = DateTimeOffset.UtcNow.UtcTicks;
        return new DateTimeOffset(ticks - ticks % 10, TimeSpan.Zero);
    }

    private void SetGuid(DbParameter p, Guid value) => p.Value = _sqlite ? value.ToString("D") : value;

    private void SetGuid(DbParameter p, Guid? value) =>
        p.Value = value is { } v ? (_sqlite ? v.ToString("D") : v) : DBNull.Value;

    private void SetTime(DbParameter p, DateTimeOffset value) =>
        p.Value = _sqlite ? value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) : value;

    private void SetTime(DbParameter p, DateTimeOffset? value) =>
        p.Value = value is { } v ? (_sqlite ? v.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) : v) : DBNull.Value;

    private static void SetJson(DbParameter p, JsonElement? value) => p.Value = value is { } v ? v.GetRawText() : DBNull.Value;

    private static void SetText(DbParameter p, string? value) => p.Value = value is null ? DBNull.Value : value;

    private static void SetInt(DbParameter p, int value) => p.Value = value;

    private static void SetInt(DbParameter p, int? value) => p.Value = value is { } v ? v : DBNull.Value;

    private static void SetLong(DbParameter p, long? value) => p.Value = value is { } v ? v : DBNull.Value;

    private static void SetBool(DbParameter p, bool value) => p.Value = value;

    private static void SetBool(DbParameter p, bool? value) => p.Value = value is { } v ? v : DBNull.Value;

    private static void SetUsage(DbParameterCollection p, int at, TokenUsage? usage)
    {
        SetLong(p[at], usage?.InputTokens);
        SetLong(p[at + 1], usage?.OutputTokens);
        SetLong(p[at + 2], usage?.TotalTokens);
        SetLong(p[at + 3], usage?.InputNoCacheTokens);
        SetLong(p[at + 4], usage?.InputCacheReadTokens);
        SetLong(p[at + 5], usage?.InputCacheWriteTokens);
        SetLong(p[at + 6], usage?.OutputTextTokens);
        SetLong(p[at + 7], usage?.OutputReasoningTokens);
        SetJson(p[at + 8], usage?.Raw);
    }

    private Guid ReadGuid(DbDataReader reader, int ordinal) =>
        _sqlite ? Guid.Parse(reader.GetString(ordinal)) : reader.GetGuid(ordinal);

    private DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => _sqlite
        ? new DateTimeOffset(DateTime.ParseExact(reader.GetString(ordinal), TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero)
        : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static FeaturePhase ParsePhase(string stored) => stored switch
    {
        "analysis" => FeaturePhase.Analysis,
        "approaches" => FeaturePhase.Approaches,
        "judging" => FeaturePhase.Judging,
        "implementation" => FeaturePhase.Implementation,
        "pr" => FeaturePhase.Pr,
        "completed" => FeaturePhase.Completed,
        "failed" => FeaturePhase.Failed,
        _ => throw new InvalidDataException($"'{stored}' is not a stored feature_phase value."),
    };

    private static MemoryKind ParseKind(string stored) => stored switch
    {
        "insight" => MemoryKind.Insight,
        "failure" => MemoryKind.Failure,
        "decision" => MemoryKind.Decision,
        "constraint" => MemoryKind.Constraint,
        _ => throw new InvalidDataException($"'{stored}' is not a stored memory_kind value."),
    };

    // ---- the follow-up path (taken only when a write matched no row) ----

    /// <summary>The first row of a statement as raw provider values (null for SQL NULL), or null when there is none.</summary>
    private async Task<object?[]?> RowAsync(DbConnection connection, RawStatement statement, CancellationToken cancellationToken, params object?[] encodedArgs)
    {
        var command = await CommandAsync(connection, statement, cancellationToken);
        try
        {
            for (var i = 0; i < encodedArgs.Length; i++)
            {
                command.Parameters[i].Value = encodedArgs[i] ?? DBNull.Value;
            }
            var reader = await command.ExecuteReaderAsync(cancellationToken);
            await using (reader)
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }
                return row;
            }
        }
        finally
        {
            await DoneAsync(command);
        }
    }

    /// <summary>
    /// After an INSERT that wrote nothing: the stored row, found by id or else by natural key, must hold
    /// what the INSERT's parameters hold (JSON by meaning). Returns its id, or null when there is none.
    /// </summary>
    private async Task<Guid?> StoredReplayAsync(DbConnection connection, DbCommand insert, (string Name, RawType Type)[] columns,
        RawStatement byId, RawStatement? byKey, int[]? keyIndexes, string table, bool callerChoseId, CancellationToken cancellationToken)
    {
        var p = insert.Parameters;
        var stored = await RowAsync(connection, byId, cancellationToken, p[0].Value);
        if (stored is null && byKey is not null)
        {
            stored = await RowAsync(connection, byKey, cancellationToken, [.. keyIndexes!.Select(i => p[i].Value)]);
        }
        if (stored is null)
        {
            return null;
        }
        // Without a caller id a fresh one was made: the natural key decides, not the id.
        var differing = Differences(columns, p, stored, firstColumn: callerChoseId ? 0 : 1);
        if (differing.Count > 0)
        {
            throw new IdempotencyConflictException(table, Convert.ToString(stored[0], CultureInfo.InvariantCulture)!, differing);
        }
        return stored[0] is Guid g ? g : Guid.Parse((string)stored[0]!);
    }

    private static List<string> Differences((string Name, RawType Type)[] columns, DbParameterCollection expected, object?[] stored, int firstColumn, int storedOffset = 0)
    {
        var differing = new List<string>();
        for (var i = firstColumn; i < columns.Length; i++)
        {
            if (!Same(columns[i].Type, expected[i].Value, stored[i + storedOffset]))
            {
                differing.Add(columns[i].Name);
            }
        }
        return differing;
    }

    private static bool Same(RawType type, object? expected, object? stored)
    {
        if (expected is DBNull)
        {
            expected = null;
        }
        if (expected is null || stored is null)
        {
            return expected is null && stored is null;
        }
        return type switch
        {
            RawType.Json => JsonDeepEquals((string)expected, (string)stored),
            RawType.Time when expected is DateTimeOffset t => stored is DateTime d
                ? DateTime.SpecifyKind(d, DateTimeKind.Utc).Ticks == t.UtcTicks
                : ((DateTimeOffset)stored).UtcTicks == t.UtcTicks,
            RawType.Bool => AsBool(expected) == AsBool(stored),
            RawType.Int => Convert.ToInt64(expected, CultureInfo.InvariantCulture) == Convert.ToInt64(stored, CultureInfo.InvariantCulture),
            _ => Equals(expected, stored),
        };
    }

    private static bool AsBool(object value) => value is bool b ? b : Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0;

    private static bool JsonDeepEquals(string a, string b)
    {
        using var left = JsonDocument.Parse(a);
        using var right = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(left.RootElement, right.RootElement);
    }

    private static InvalidOperationException Unexplained(string table) =>
        new($"Insert into {table} wrote no row and no reason was found.");
}
