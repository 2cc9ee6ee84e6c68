namespace AgentPipeline.Persistence.Internal;

/// <summary>What the committer has done, for the benchmark's report and for tests.</summary>
internal sealed partial class GroupCommitter
{
    /// <summary>Rows in the last batch a flusher committed (for tests).</summary>
    internal int LastBatchSize { get; private set; }

    private long _batches;
    private long _batchedRows;

    /// <summary>Batches committed and the rows they held, since the handle opened (for the benchmark's report).</summary>
    internal (long Batches, long Rows) Totals => (Interlocked.Read(ref _batches), Interlocked.Read(ref _batchedRows));

    /// <summary>While held, every call queues and one flusher waits: tests use it to make a batch of a known size.</summary>
    internal SemaphoreSlim? Hold { get; set; }

    /// <summary>Called after a call's row is queued and a flusher is there to take it (for tests).</summary>
    internal Action? Queued { get; set; }

    /// <summary>Called on the flusher right after a batch committed (for tests).</summary>
    internal Action? BatchCommitted { get; set; }

    /// <summary>The SQLite flusher thread, once started (for tests).</summary>
    internal Thread? FlusherThread => Volatile.Read(ref _thread);

    /// <summary>Rows queued and not yet taken by a flusher (for tests).</summary>
    internal int QueuedRows => Volatile.Read(ref _queued);

    /// <summary>Awaited by a call that commits its row on its own, before it does (for tests: keeps such calls in flight).</summary>
    internal Func<Task>? BeforeAlone { get; set; }
}
