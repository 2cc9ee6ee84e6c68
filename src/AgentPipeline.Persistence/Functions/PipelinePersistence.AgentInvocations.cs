using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Sql InvocationPhaseResult =
        Statement.Select(AgentInvocations.Name, [AgentInvocations.PhaseResultId], AgentInvocations.Id);

    private static readonly Columns CompletionColumns = AgentInvocations.Completion.Columns;

    private static readonly ColumnShape[] CompletionShapes = [.. AgentInvocations.Completion.Shapes];

    private static readonly Sql CompleteInvocation = Statement.Update(AgentInvocations.Name)
        .Set(CompletionShapes).Set(AgentInvocations.CompletedAt)
        .Where(AgentInvocations.Id).And(Statement.IsNull(AgentInvocations.CompletedAt)).ToSql();

    private static readonly Sql LockInvocation =
        Statement.Select(AgentInvocations.Name, [AgentInvocations.CompletedAt], AgentInvocations.Id, "{forupdate}");

    // The token columns (not usage_raw) summed over the invocation's steps, as 64-bit integers on both providers.
    private static readonly Sql StepTokenSums = new(
        $"SELECT {string.Join(", ", UsageColumns.Counts.Select(p => $"CAST(SUM({p.Name}) AS BIGINT)"))} " +
        $"FROM {{s}}.{AgentSteps.Name} WHERE {AgentSteps.InvocationId.Name} = @{AgentSteps.InvocationId.Name}",
        [AgentSteps.InvocationId.Param], UsageColumns.Counts);

    private static readonly Sql InvocationCompletion =
        Statement.Select(AgentInvocations.Name, [AgentInvocations.CompletedAt, .. CompletionShapes], AgentInvocations.Id);

    /// <summary>
    /// An agent starts: a top-level orchestrator, or a sub-agent under <see cref="NewAgentInvocation.ParentInvocationId"/>
    /// in the same phase result. <c>run_id</c> is copied from the phase result; <c>started_at</c> is stamped.
    /// </summary>
    /// <returns>The invocation's id: <see cref="NewAgentInvocation.Id"/>, or a new UUIDv7.</returns>
    /// <exception cref="ArgumentException">A field is missing or malformed, or the parent belongs to another phase result; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The phase result or the parent invocation does not exist.</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<Guid> CreateAgentInvocationAsync(PipelineDb db, NewAgentInvocation data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var values = AgentInvocations.Create.Values(data, db.Redactor, stamped: 1);
        var id = (Guid)(values[0] ??= db.NewId());
        values[^1] = db.Now();
        if (data.ParentInvocationId == id)
        {
            throw new ArgumentException("data.ParentInvocationId must not be the invocation's own id.", "data.ParentInvocationId");
        }
        return await db.Writes.InsertAsync(AgentInvocations.Insert, values, values, data.Id is not null, new(data, static async (session, record, ct) =>
        {
            var data = (NewAgentInvocation)record;
            await RequireAsync(session, PhaseResultExists, "phase_results", data.PhaseResultId, ct).ConfigureAwait(false);
            if (data.ParentInvocationId is { } parentId)
            {
                var parent = await session.QueryRowAsync(InvocationPhaseResult, [parentId], ct).ConfigureAwait(false)
                    ?? throw new RecordNotFoundException("agent_invocations", parentId.ToString());
                throw new ArgumentException(
                    $"data.ParentInvocationId '{parentId}' belongs to phase result '{parent[0]}', not '{data.PhaseResultId}'.", "data.ParentInvocationId");
            }
        }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An agent finished: stores every field the model SDK returned and stamps <c>completed_at</c>.
    /// Without <see cref="AgentInvocationCompletion.Usage"/>, each token column holds the sum of that
    /// column over the invocation's steps (null when no step has it) and <c>usage_raw</c> stays null.
    /// An invocation completes once; repeating the call with the same data is a no-op. Once it has
    /// completed, no new step or tool call is accepted under it.
    /// </summary>
    /// <exception cref="ArgumentException">A field is malformed (negative token count, default time, …); nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The invocation does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">It was already completed with different data.</exception>
    /// <exception cref="InvalidOperationException">A custom secret redactor returned an undefined value; nothing was written.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task CompleteAgentInvocationAsync(PipelineDb db, Guid invocationId, AgentInvocationCompletion data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        Check.Id(invocationId, nameof(invocationId));
        var values = AgentInvocations.Completion.Values(data, db.Redactor);
        var summed = data.Usage is null;
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            if (summed)
            {
                // Locked first (PostgreSQL), so steps being written now are committed and counted, and
                // later ones wait and find the invocation completed; the sum is read after the lock.
                await session.BeginAsync(ct).ConfigureAwait(false);
                _ = await session.QueryRowAsync(LockInvocation, [invocationId], ct).ConfigureAwait(false)
                    ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
                await SumStepTokensAsync(session, invocationId, values, ct).ConfigureAwait(false);
            }
            if (await session.ExecuteAsync(CompleteInvocation, [.. values, db.Now(), invocationId], ct).ConfigureAwait(false) == 1)
            {
                if (summed)
                {
                    await session.CommitAsync(ct).ConfigureAwait(false);
                }
                return;
            }
            var stored = await session.QueryRowAsync(InvocationCompletion, [invocationId], ct).ConfigureAwait(false)
                ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
            var differing = Idempotent.Differences(CompletionColumns, values, stored, storedOffset: 1);
            if (differing.Count > 0)
            {
                throw new InvalidStateTransitionException("agent_invocations", invocationId.ToString(), "completed",
                    $"completed with different {string.Join(", ", differing)}");
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts the sums of the steps' token columns where <paramref name="values"/> holds the usage.</summary>
    private static async Task SumStepTokensAsync(Session session, Guid invocationId, object?[] values, CancellationToken cancellationToken)
    {
        var sums = await session.QueryRowAsync(StepTokenSums, [invocationId], cancellationToken).ConfigureAwait(false);
        sums!.CopyTo(values, AgentInvocations.CompletionCounts);
    }
}
