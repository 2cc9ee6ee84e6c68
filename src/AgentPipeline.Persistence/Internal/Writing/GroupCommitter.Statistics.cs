namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>What the committer has done, and who watches it.</summary>
internal sealed partial class GroupCommitter
{
    private long _batches;
    private long _batchedRows;
    private IGroupCommitObserver? _observer;

    /// <summary>Batches committed and the rows they held, since the handle opened (for the benchmark's report).</summary>
    internal (long Batches, long Rows) Totals => (Interlocked.Read(ref _batches), Interlocked.Read(ref _batchedRows));

    /// <summary>Who is told about queued rows and batches (tests); set before the handle's first call.</summary>
    internal IGroupCommitObserver? Observer
    {
        get => _observer;
        set => _observer = value;
    }
}
