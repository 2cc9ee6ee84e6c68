using System.Runtime.InteropServices;
using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
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
        // The request repeats the previous step's and adds a little: checked, redacted and cut reusing that step's work.
        // (Small requests, such as the per-call benchmark's, take the ordinary path without this closure.)
        var values = data.RequestBody is { ValueKind: JsonValueKind.Object } request
                     && JsonMarshal.GetRawUtf8Value(request).Length >= Internal.Content.ContentStore.MinPrepared
            ? StepValuesReusing(db, data)
            : AgentSteps.Create.Values(data, db.Redactor, stamped: 1);
        values[0] ??= db.NewId();
        values[^1] = db.Now();
        return await db.Writes.InsertAsync(AgentSteps.Insert, values, values, data.Id is not null, new(data, static (session, data, ct) =>
            RequireOpenInvocationAsync(session, ((NewAgentStep)data).InvocationId, "agent_steps", ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A step's values, its request checked, redacted and cut reusing the previous step's work (ContentStore.TryPrepare).</summary>
    private static object?[] StepValuesReusing(PipelineDb db, NewAgentStep data) =>
        AgentSteps.Create.Values(data, db.Redactor, stamped: 1, "request_body", (json, field, context, redactor) =>
            db.Writes.Contents.TryPrepare(json, field, context, redactor, data.InvocationId, AgentSteps.Insert.Shared!));

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
        var values = ToolCalls.Create.Values(data, db.Redactor, stamped: 1);
        values[0] ??= db.NewId();
        values[^1] = db.Now();
        return await db.Writes.InsertAsync(ToolCalls.Insert, values, values, data.Id is not null, new(data, static (session, data, ct) =>
            RequireOpenStepAsync(session, ((NewToolCall)data).StepId, "tool_calls", ct)), cancellationToken).ConfigureAwait(false);
    }
}
