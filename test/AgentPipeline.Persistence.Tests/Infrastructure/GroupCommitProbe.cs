using AgentPipeline.Persistence.Internal.Writing;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>
/// Watches one handle's group committer through its observer: holds batches back, and tells a test
/// when rows are queued, taken or committed. <see cref="Of"/> attaches one to a handle (once).
/// </summary>
internal sealed class GroupCommitProbe : IGroupCommitObserver
{
    private int _lastBatchSize;
    private long _batches;

    /// <summary>The probe watching <paramref name="db"/>, attached on first use (before the handle's calls).</summary>
    public static GroupCommitProbe Of(PipelineDb db)
    {
        if (db.GroupCommit.Observer is GroupCommitProbe probe)
        {
            return probe;
        }
        probe = new GroupCommitProbe();
        db.GroupCommit.Observer = probe;
        return probe;
    }

    /// <summary>While set, every call queues and one flusher waits: tests use it to make a batch of a known size.</summary>
    public SemaphoreSlim? Hold { get; set; }

    /// <summary>Called after a call's row is queued and a flusher is there to take it.</summary>
    public Action? Queued { get; set; }

    /// <summary>Called on the flusher with the rows it took for one batch.</summary>
    public Action<int>? Drained { get; set; }

    /// <summary>Called on the flusher right after a batch committed.</summary>
    public Action? BatchCommitted { get; set; }

    /// <summary>Awaited by a call that commits its row on its own, before it does.</summary>
    public Func<Task>? BeforeAlone { get; set; }

    /// <summary>Rows in the last batch a flusher committed.</summary>
    public int LastBatchSize => Volatile.Read(ref _lastBatchSize);

    /// <summary>Batches committed since the probe was attached.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    void IGroupCommitObserver.ReleaseHold()
    {
        if (Hold is { } hold)
        {
            Hold = null;
            hold.Release();
        }
    }

    Task IGroupCommitObserver.BeforeAloneAsync() => BeforeAlone?.Invoke() ?? Task.CompletedTask;

    void IGroupCommitObserver.Queued() => Queued?.Invoke();

    void IGroupCommitObserver.Drained(int rows) => Drained?.Invoke(rows);

    void IGroupCommitObserver.BatchCommitted(int rows)
    {
        Volatile.Write(ref _lastBatchSize, rows);
        Interlocked.Increment(ref _batches);
        BatchCommitted?.Invoke();
    }
}
