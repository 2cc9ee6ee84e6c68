namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>
/// What the group committer tells whoever watches it (the tests, which must make batches of a known
/// size and see when rows are queued or taken). One optional object on the committer instead of
/// hooks of its own; when none is set the write path only tests one field for null.
/// </summary>
internal interface IGroupCommitObserver
{
    /// <summary>While not null, every call queues and each flusher waits on it (and releases it again) before it takes rows.</summary>
    SemaphoreSlim? Hold { get; }

    /// <summary>The handle is closing: a hold must not keep it from closing (its flusher waits on it).</summary>
    void ReleaseHold();

    /// <summary>Awaited by a call that commits its row on its own, before it does.</summary>
    Task BeforeAloneAsync();

    /// <summary>A call's row is queued and a flusher is there to take it.</summary>
    void Queued();

    /// <summary>On the flusher: it took <paramref name="rows"/> rows from the queue for one batch.</summary>
    void Drained(int rows);

    /// <summary>On the flusher, right after a batch of <paramref name="rows"/> rows committed.</summary>
    void BatchCommitted(int rows);
}
