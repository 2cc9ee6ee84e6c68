using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Columns StepColumns = new(
    [
        P("id", Col.Guid), P("invocation_id", Col.Guid), P("step_number", Col.Int), P("model_provider", Col.Text), P("model_id", Col.Text),
        P("function_id", Col.Text), P("metadata", Col.Json), P("text", Col.Text), P("reasoning_text", Col.Text), P("reasoning", Col.Json),
        P("content", Col.Json), P("files", Col.Json), P("sources", Col.Json), P("finish_reason", Col.Text), P("raw_finish_reason", Col.Text),
        .. UsageColumns.Params,
        P("warnings", Col.Json), P("request_body", Col.Json), P("response_id", Col.Text), P("response_model_id", Col.Text),
        P("response_headers", Col.Json), P("response_body", Col.Json), P("response_timestamp", Col.Time), P("provider_metadata", Col.Json),
    ]);

    private static readonly Param[] StepInsertParams = [.. StepColumns.Items, P("created_at", Col.Time)];

    // No conflict target: a repeated id and a repeated (invocation_id, step_number) are both replays.
    // Only under an open invocation, share-locked on PostgreSQL (see PipelinePersistence.States.cs).
    private static readonly CreateSpec StepCreate = new("agent_steps", StepColumns, new Sql(
        $"INSERT INTO {{s}}.agent_steps (run_id, created_at, {StepColumns.Names}) " +
        $"SELECT i.run_id, @created_at, {StepColumns.Params} FROM {{s}}.agent_invocations i WHERE i.id = @invocation_id AND i.completed_at IS NULL{{forshare}} ON CONFLICT DO NOTHING",
        StepInsertParams), naturalKey: ["invocation_id", "step_number"], batchOrder: 1, insertManyTemplate:
        $"INSERT INTO {{s}}.agent_steps (run_id, created_at, {StepColumns.Names}) " +
        $"SELECT i.run_id, u.created_at, {StepColumns.FromUnnest} FROM {Columns.Unnest(StepInsertParams)} " +
        // LATERAL … OFFSET 0: one primary-key lookup per row, never a hash join over the whole parent table.
        "CROSS JOIN LATERAL (SELECT p.run_id FROM {s}.agent_invocations p WHERE p.id = u.invocation_id AND p.completed_at IS NULL OFFSET 0 FOR SHARE) i " +
        "ON CONFLICT DO NOTHING RETURNING id");

    private static readonly Columns ToolCallColumns = new(
        P("id", Col.Guid), P("step_id", Col.Guid), P("tool_call_id", Col.Text), P("tool_name", Col.Text), P("input", Col.Json),
        P("output", Col.Json), P("output_type", Col.Text), P("is_dynamic", Col.Bool), P("is_invalid", Col.Bool), P("error", Col.Json),
        P("is_preliminary", Col.Bool), P("is_provider_executed", Col.Bool), P("title", Col.Text), P("provider_metadata", Col.Json));

    private static readonly Param[] ToolCallInsertParams = [.. ToolCallColumns.Items, P("created_at", Col.Time)];

    private static readonly CreateSpec ToolCallCreate = new("tool_calls", ToolCallColumns, new Sql(
        $"INSERT INTO {{s}}.tool_calls (run_id, invocation_id, created_at, {ToolCallColumns.Names}) " +
        $"SELECT st.run_id, st.invocation_id, @created_at, {ToolCallColumns.Params} FROM {{s}}.agent_steps st " +
        "JOIN {s}.agent_invocations i ON i.id = st.invocation_id WHERE st.id = @step_id AND i.completed_at IS NULL{forshareof:i} ON CONFLICT DO NOTHING",
        ToolCallInsertParams), naturalKey: ["step_id", "tool_call_id"], batchOrder: 2, insertManyTemplate:
        $"INSERT INTO {{s}}.tool_calls (run_id, invocation_id, created_at, {ToolCallColumns.Names}) " +
        $"SELECT st.run_id, st.invocation_id, u.created_at, {ToolCallColumns.FromUnnest} FROM {Columns.Unnest(ToolCallInsertParams)} " +
        "CROSS JOIN LATERAL (SELECT p.run_id, p.invocation_id FROM {s}.agent_steps p JOIN {s}.agent_invocations i ON i.id = p.invocation_id " +
        "WHERE p.id = u.step_id AND i.completed_at IS NULL OFFSET 0 FOR SHARE OF i) st ON CONFLICT DO NOTHING RETURNING id");

    /// <summary>
    /// Records one model step of an invocation; <c>run_id</c> is copied from the invocation and
    /// <c>created_at</c> stamped. (invocation, step number) is unique: repeating a step without an id
    /// finds the stored one.
    /// </summary>
    /// <returns>The step's id (the stored one on a replay).</returns>
    /// <exception cref="ArgumentException">A field is missing or malformed; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The invocation does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The invocation has completed (and this step is not already stored).</exception>
    /// <exception cref="IdempotencyConflictException">The id, or the (invocation, step number), is stored with different data.</exception>
    /// <exception cref="InvalidOperationException">A custom secret redactor returned an undefined value; nothing was written.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<Guid> CreateAgentStepAsync(PipelineDb db, NewAgentStep data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var id = Check.OptionalId(data.Id, "data.Id") ?? db.NewId();
        object?[] values =
        [
            id, Check.Id(data.InvocationId, "data.InvocationId"), Check.NonNegative(data.StepNumber, "data.StepNumber"),
            data.ModelProvider, data.ModelId, data.FunctionId, Check.Json(data.Metadata, "data.Metadata"), data.Text, data.ReasoningText,
            Check.Json(data.Reasoning, "data.Reasoning"), Check.Json(data.Content, "data.Content"), Check.Json(data.Files, "data.Files"),
            Check.Json(data.Sources, "data.Sources"), Check.Enum(data.FinishReason, "data.FinishReason"), data.RawFinishReason,
            .. UsageColumns.Values(data.Usage, "data.Usage"),
            Check.Json(data.Warnings, "data.Warnings"), Redact(db, Check.Json(data.RequestBody, "data.RequestBody"), Redaction.SecretRedaction.AgentSteps, Redaction.SecretRedaction.RequestBody), data.ResponseId, data.ResponseModelId,
            Redact(db, Check.Json(data.ResponseHeaders, "data.ResponseHeaders"), Redaction.SecretRedaction.AgentSteps, Redaction.SecretRedaction.ResponseHeaders), Redact(db, Check.Json(data.ResponseBody, "data.ResponseBody"), Redaction.SecretRedaction.AgentSteps, Redaction.SecretRedaction.ResponseBody),
            Check.Utc(data.ResponseTimestamp, "data.ResponseTimestamp"), Redact(db, Check.Json(data.ProviderMetadata, "data.ProviderMetadata"), Redaction.SecretRedaction.AgentSteps, Redaction.SecretRedaction.ProviderMetadata),
        ];
        return await db.GroupCommit.InsertAsync(StepCreate, values, Append(values, db.Now()), data.Id is not null, async (session, ct) =>
        {
            await RequireOpenInvocationAsync(session, data.InvocationId, "agent_steps", ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records one tool call of a step; <c>invocation_id</c> and <c>run_id</c> are copied from the
    /// step and <c>created_at</c> stamped. (step, SDK tool call id) is unique: repeating a call
    /// without an id finds the stored one.
    /// </summary>
    /// <returns>The tool call's id (the stored one on a replay).</returns>
    /// <exception cref="ArgumentException">A field is missing or malformed; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The step does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The step's invocation has completed (and this tool call is not already stored).</exception>
    /// <exception cref="IdempotencyConflictException">The id, or the (step, tool call id), is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<Guid> CreateToolCallAsync(PipelineDb db, NewToolCall data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var id = Check.OptionalId(data.Id, "data.Id") ?? db.NewId();
        object?[] values =
        [
            id, Check.Id(data.StepId, "data.StepId"), Check.Key(data.ToolCallId, "data.ToolCallId"), Check.Required(data.ToolName, "data.ToolName"),
            Check.Json(data.Input, "data.Input"), Check.Json(data.Output, "data.Output"), Check.Enum(data.OutputType, "data.OutputType"),
            data.IsDynamic, data.IsInvalid, Check.Json(data.Error, "data.Error"), data.IsPreliminary, data.IsProviderExecuted, data.Title,
            Redact(db, Check.Json(data.ProviderMetadata, "data.ProviderMetadata"), Redaction.SecretRedaction.ToolCalls, Redaction.SecretRedaction.ProviderMetadata),
        ];
        return await db.GroupCommit.InsertAsync(ToolCallCreate, values, Append(values, db.Now()), data.Id is not null, async (session, ct) =>
        {
            await RequireOpenStepAsync(session, data.StepId, "tool_calls", ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
