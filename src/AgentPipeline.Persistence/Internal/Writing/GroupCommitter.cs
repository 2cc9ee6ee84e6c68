using System.Collections.Concurrent;

namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>
/// Group commit for the hot creates (steps, tool calls, memory records, invocations).
/// <list type="bullet">
/// <item>Every call checks and converts its values first (<see cref="Dialect.Bind"/>), on its own
/// thread, before any I/O: a bad value fails only that call, and the flusher only executes.</item>
/// <item>A writer alone goes straight to the database in its own transaction; so do overlapping
/// writers until <see cref="PipelineDbOptions.GroupCommitMinWriters"/> of them (default 2) are in
/// flight at once.</item>
/// <item>Writers that overlap queue their rows; one flusher takes everything queued and writes it
/// in one transaction with one commit, so the commit's flush is shared. On PostgreSQL the batch is
/// one round trip, the rows of one table are one multi-row statement (<c>unnest</c> of array
/// parameters) where the table has one, and after each commit the flusher lingers (1 ms at most)
/// until the writers it released are back with their next rows, so batches stay whole instead of
/// splitting into two half-size ones that each pay a flush. On SQLite the flusher is a thread of
/// its own (see <see cref="FlushThread"/>).</item>
/// <item>Each call completes only after the commit that holds its row.</item>
/// <item>A row that wrote nothing is diagnosed after the commit: a replay returns the stored id, a
/// conflict fails only that call, and anything else (a parent that was in the same batch, or a
/// missing one) is tried once more on its own, which stores it or reports the missing parent.</item>
/// <item>If the batch itself fails on the database, every call in it is retried on its own, so
/// one bad row cannot fail the others.</item>
/// </list>
/// </summary>
/// <remarks>
/// The parts: <c>Engagement</c> (alone or queued), <c>SqliteFlusher</c> and
/// <c>PostgreSqlFlusher</c> (who takes queued rows), <c>Batch</c> (one batch written),
/// <c>Diagnosis</c> (rows that wrote nothing, rows retried alone), <c>Closing</c>. What it does is
/// counted on the public instruments of <see cref="WriteMetrics"/>, and told to <see cref="Observer"/>.
/// </remarks>
internal sealed partial class GroupCommitter
{
    private readonly WriteExecutor _writes;
    private readonly Dialect _dialect;
    private readonly bool _enabled;
    private readonly int _maxBatch;

    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _queued;
    private volatile bool _stopped;
    private IGroupCommitObserver? _observer;

    public GroupCommitter(WriteExecutor writes, bool enabled, int maxBatch, int engageAt)
    {
        _writes = writes;
        _dialect = writes.Dialect;
        _enabled = enabled;
        _maxBatch = Math.Max(1, maxBatch);
        _engageAt = Math.Max(2, engageAt);
        _disengageAt = _engageAt / 2;
        // SQLite runs in process and its writers take turns: one thread of our own keeps writing
        // batches while the callers prepare their next rows on the thread pool, instead of a
        // flusher that is queued on the pool behind the very callers it should serve.
        _dedicatedThread = _dialect.CompletesSynchronously;
        _keeper = _dedicatedThread ? null : new SessionKeeper();
    }

    /// <summary>Who is told about queued rows and batches (tests); set before the handle's first call.</summary>
    internal IGroupCommitObserver? Observer
    {
        get => _observer;
        set => _observer = value;
    }

    private sealed class Pending(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        MissingParent missing, CancellationToken cancellationToken)
    {
        public CreateSpec Spec { get; } = spec;
        public object?[] Values { get; } = values;
        public object[] Bound { get; } = bound;
        public bool CallerChoseId { get; } = callerChoseId;
        public MissingParent Missing { get; } = missing;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<Guid> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
