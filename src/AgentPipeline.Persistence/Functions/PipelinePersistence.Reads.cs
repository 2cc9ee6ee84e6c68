using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Reading;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

/// <summary>Reading back: one whole row of a table by its id, and a run with its derived facts.</summary>
public static partial class PipelinePersistence
{
    private static Sql ById(Projection projection) =>
        new($"SELECT {projection.List("t")} FROM {{s}}.{projection.Table} t WHERE t.id = @id", [P("id", Col.Guid)]);

    private static readonly Sql RunById = ById(RowReaders.Runs.Whole.Projection);
    private static readonly Sql InvocationById = ById(RowReaders.Invocations.Whole.Projection);
    private static readonly Sql StepById = ById(RowReaders.Steps.Whole.Projection);
    private static readonly Sql ToolCallById = ById(RowReaders.Tools.Whole.Projection);
    private static readonly Sql CtaById = ById(RowReaders.Ctas.Whole.Projection);

    private static readonly Sql SandboxById = new(
        $"SELECT {RowReaders.Sandboxes.Whole.Projection.List("t")} FROM {{s}}.sandboxes t WHERE t.id = @id", [P("id", Col.Text)]);

    private static readonly Sql SnapshotsBySandbox = new(
        $"SELECT {RowReaders.Snapshots.Whole.Projection.List("t")} FROM {{s}}.sandbox_snapshots t WHERE t.sandbox_id = @id ORDER BY t.created_at, t.id",
        [P("id", Col.Text)]);

    private static readonly Sql OpenCtaCount = new(
        "SELECT COUNT(*) FROM {s}.cta_events WHERE run_id = @run_id AND responded_at IS NULL", [P("run_id", Col.Guid)]);

    private static string TokenSums(string alias) =>
        string.Join(", ", UsageColumns.Counts.Select(c => $"CAST(SUM({alias}.{c.Name}) AS BIGINT)"));

    // Completed invocations count their stored totals; running ones the sum of their steps so far.
    internal static readonly Sql RunTokens = new(
        $"SELECT {TokenSums("i")} FROM {{s}}.agent_invocations i WHERE i.run_id = @run_id AND i.completed_at IS NOT NULL " +
        $"UNION ALL SELECT {TokenSums("st")} FROM {{s}}.agent_steps st JOIN {{s}}.agent_invocations i ON i.id = st.invocation_id " +
        "WHERE i.run_id = @run_id AND i.completed_at IS NULL",
        [P("run_id", Col.Guid)]);

    /// <summary>
    /// A feature run as stored, with its sandbox and snapshots and the facts derived from its rows:
    /// <see cref="FeatureRun.Status"/>, <see cref="FeatureRun.Duration"/>, <see cref="FeatureRun.Tokens"/>
    /// and <see cref="FeatureRun.OpenCtaCount"/>, all read in one consistent snapshot.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<FeatureRun> GetFeatureRunAsync(PipelineDb db, Guid runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(runId, nameof(runId));
        return await db.RunAsync(write: false, async (session, ct) =>
        {
            await session.BeginSnapshotAsync(ct).ConfigureAwait(false);
            var run = await ReadFeatureRunAsync(session, runId, ct).ConfigureAwait(false);
            await session.CommitAsync(ct).ConfigureAwait(false);
            return run;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run and its derived facts, on a session the caller holds (in a snapshot when it reads more).</summary>
    private static async Task<FeatureRun> ReadFeatureRunAsync(Session session, Guid runId, CancellationToken ct)
    {
        var run = await ReadOneAsync(session, RunById, runId, RowReaders.Runs.Whole.Read, FeatureRuns.Name, ct).ConfigureAwait(false);
        Sandbox? sandbox = null;
        if (run.SandboxId is { } sandboxId)
        {
            var found = await session.ReadAsync(SandboxById, [sandboxId], RowReaders.Sandboxes.Whole.Read, ct).ConfigureAwait(false);
            if (found.Count == 1)
            {
                var snapshots = await session.ReadAsync(SnapshotsBySandbox, [sandboxId], RowReaders.Snapshots.Whole.Read, ct).ConfigureAwait(false);
                sandbox = found[0] with { Snapshots = snapshots };
            }
        }
        var open = (int)(await session.ReadAsync(OpenCtaCount, [runId], static r => r.Long(0), ct).ConfigureAwait(false))[0];
        var sums = await session.ReadAsync(RunTokens, [runId], static r =>
        {
            var counts = new long?[8];
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = r.LongOrNull(i);
            }
            return counts;
        }, ct).ConfigureAwait(false);
        long? Total(int kind)
        {
            long? total = null;
            foreach (var part in sums)
            {
                if (part[kind] is { } n)
                {
                    total = checked((total ?? 0) + n);
                }
            }
            return total;
        }
        return run with
        {
            Sandbox = sandbox,
            OpenCtaCount = open,
            Status = run.CurrentPhase switch
            {
                FeaturePhase.Completed => RunStatus.Completed,
                FeaturePhase.Failed => RunStatus.Failed,
                _ => open > 0 ? RunStatus.WaitingForHuman : RunStatus.Running,
            },
            Duration = run.CurrentPhase is FeaturePhase.Completed or FeaturePhase.Failed && run.CompletedAt is { } end ? end - run.CreatedAt : null,
            Tokens = new TokenUsage
            {
                InputTokens = Total(0), OutputTokens = Total(1), TotalTokens = Total(2), InputNoCacheTokens = Total(3),
                InputCacheReadTokens = Total(4), InputCacheWriteTokens = Total(5), OutputTextTokens = Total(6), OutputReasoningTokens = Total(7),
            },
        };
    }

    /// <summary>An agent invocation as stored: every column, large ones included.</summary>
    /// <exception cref="ArgumentException"><paramref name="invocationId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The invocation does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task<AgentInvocation> GetAgentInvocationAsync(PipelineDb db, Guid invocationId, CancellationToken cancellationToken = default) =>
        GetByIdAsync(db, invocationId, nameof(invocationId), InvocationById, RowReaders.Invocations.Whole.Read, AgentInvocations.Name, cancellationToken,
            Internal.Content.SharedRecords.ResolveAsync);

    /// <summary>An agent step as stored: every column, large ones included.</summary>
    /// <exception cref="ArgumentException"><paramref name="stepId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The step does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task<AgentStep> GetAgentStepAsync(PipelineDb db, Guid stepId, CancellationToken cancellationToken = default) =>
        GetByIdAsync(db, stepId, nameof(stepId), StepById, RowReaders.Steps.Whole.Read, AgentSteps.Name, cancellationToken,
            Internal.Content.SharedRecords.ResolveAsync);

    /// <summary>A tool call as stored (by the store's id, <see cref="ToolCall.Id"/>): every column, its result included.</summary>
    /// <exception cref="ArgumentException"><paramref name="toolCallId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The tool call does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task<ToolCall> GetToolCallAsync(PipelineDb db, Guid toolCallId, CancellationToken cancellationToken = default) =>
        GetByIdAsync(db, toolCallId, nameof(toolCallId), ToolCallById, RowReaders.Tools.Whole.Read, ToolCalls.Name, cancellationToken,
            Internal.Content.SharedRecords.ResolveAsync);

    /// <summary>A CTA as stored: the question and, once resolved, its answer or timeout.</summary>
    /// <exception cref="ArgumentException"><paramref name="ctaId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task<CtaEvent> GetCtaEventAsync(PipelineDb db, Guid ctaId, CancellationToken cancellationToken = default) =>
        GetByIdAsync(db, ctaId, nameof(ctaId), CtaById, RowReaders.Ctas.Whole.Read, CtaEvents.Name, cancellationToken);

    // resolve: gives a record's values stored in the shared form back as written (docs/storage.md); null where the table has none.
    private static async Task<T> GetByIdAsync<T>(PipelineDb db, Guid id, string parameter, Sql sql, Func<Row, T> read, string table,
        CancellationToken cancellationToken, Func<Session, T, CancellationToken, Task<T>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(id, parameter);
        return await db.RunAsync(write: false, async (session, ct) =>
        {
            var record = await ReadOneAsync(session, sql, id, read, table, ct).ConfigureAwait(false);
            return resolve is null ? record : await resolve(session, record, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadOneAsync<T>(Session session, Sql sql, object id, Func<Row, T> read, string table, CancellationToken ct)
    {
        var rows = await session.ReadAsync(sql, [id], read, ct).ConfigureAwait(false);
        return rows.Count == 1 ? rows[0] : throw new RecordNotFoundException(table, Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture)!);
    }
}
