using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Reading;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Columns MemoryColumns = MemoryRecords.Create.Columns;

    // Only while the run has not ended; its row is share-locked on PostgreSQL (see PipelinePersistence.States.cs).
    private static readonly CreateSpec MemoryCreate = new(MemoryRecords.Name, MemoryColumns, new Sql(
        $"INSERT INTO {{s}}.memory_records (run_id, phase, created_at, {{seqcol}}{MemoryColumns.Names}) " +
        $"SELECT p.run_id, p.phase, @created_at, {{seqval}}{MemoryColumns.Params} FROM {{s}}.phase_results p " +
        $"JOIN {{s}}.feature_runs r ON r.id = p.run_id WHERE p.id = @phase_result_id AND {RunOpen} " +
        "AND (@invocation_id IS NULL OR EXISTS (SELECT 1 FROM {s}.agent_invocations a WHERE a.id = @invocation_id AND a.run_id = p.run_id))" +
        "{forshareof:r} ON CONFLICT (id) DO NOTHING",
        [.. MemoryColumns.Items, P("created_at", Col.Time)]), groupCommitted: true, batchOrder: 3);

    private static readonly Sql MemoryByRun = new(
        $"SELECT {RowReaders.Memory.Whole.Projection.List("t")} FROM {{s}}.memory_records t WHERE t.run_id = @run_id ORDER BY t.created_at, t.seq",
        [P("run_id", Col.Guid)]);

    // PostgreSQL: the same rows, put in order by the caller (see MemoryOrder).
    private static readonly Sql MemoryByRunUnordered = new(
        $"SELECT {RowReaders.Memory.Whole.Projection.List("t")} FROM {{s}}.memory_records t WHERE t.run_id = @run_id",
        [P("run_id", Col.Guid)]);

    private static readonly Sql InvocationRun = new(
        "SELECT run_id FROM {s}.agent_invocations WHERE id = @id", [P("id", Col.Guid)], [P("run_id", Col.Guid)]);

    /// <summary>
    /// Leaves a note for later phases of the same run. <c>run_id</c> and <c>phase</c> are copied
    /// from the phase result; <c>created_at</c> is stamped.
    /// </summary>
    /// <returns>The record's id: <see cref="NewMemoryRecord.Id"/>, or a new UUIDv7.</returns>
    /// <exception cref="ArgumentException">A field is missing or malformed, or the invocation belongs to another run; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The phase result or the invocation does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The run has completed or failed (and this record is not already stored).</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<Guid> CreateMemoryRecordAsync(PipelineDb db, NewMemoryRecord data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var values = MemoryRecords.Create.Values(data, db.Redactor, stamped: 1);
        values[0] ??= db.NewId();
        values[^1] = db.Now();
        return await db.Writes.InsertAsync(MemoryCreate, values, values, data.Id is not null, new(data, static async (session, record, ct) =>
        {
            var data = (NewMemoryRecord)record;
            await RequireOpenPhaseResultRunAsync(session, data.PhaseResultId, "memory_records", ct).ConfigureAwait(false);
            if (data.InvocationId is { } invocationId)
            {
                var run = await session.QueryRowAsync(InvocationRun, [invocationId], ct).ConfigureAwait(false)
                    ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
                throw new ArgumentException($"data.InvocationId '{invocationId}' belongs to run '{run[0]}', not to the phase result's run.", "data.InvocationId");
            }
        }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A run's memory records in the order they were created; records stamped in the same clock
    /// tick come back in insertion order.
    /// </summary>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<IReadOnlyList<MemoryRecord>> GetMemoryRecordsAsync(PipelineDb db, Guid runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(runId, nameof(runId));
        return await db.RunAsync<IReadOnlyList<MemoryRecord>>(write: false, async (session, ct) =>
        {
            var records = await ReadMemoryRecordsAsync(session, db.Dialect, runId, ct).ConfigureAwait(false);
            if (records.Count == 0)
            {
                await RequireAsync(session, RunExists, "feature_runs", runId, ct).ConfigureAwait(false);
            }
            return records;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A run's memory records in their order (none when the run has none or does not exist).</summary>
    private static async Task<IReadOnlyList<MemoryRecord>> ReadMemoryRecordsAsync(Session session, Dialect dialect, Guid runId, CancellationToken ct)
    {
        var reader = RowReaders.Memory.Whole;
        return dialect.NumbersMemorySeq
            ? await session.ReadAsync(MemoryByRun, [runId], reader.Read, ct).ConfigureAwait(false)
            : MemoryOrder.Sort(await session.ReadAsync(MemoryByRunUnordered, [runId], r => new MemoryOrder.Entry(reader.Read(r), r.Long(reader.Seq)), ct)
                .ConfigureAwait(false));
    }
}
