namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>Whether a call writes its row alone or queues it for a flusher.</summary>
internal sealed partial class GroupCommitter
{
    private int _writers;

    // Engaged: overlapping calls queue. Engages when a call finds EngageAt writers in flight (itself
    // included), disengages when one finds DisengageAt or fewer, so that one burst of writers is
    // either all batched or all alone: a mix of both was slower than either (docs/performance.md).
    private readonly int _engageAt;
    private readonly int _disengageAt;
    private volatile bool _engaged;

    /// <summary>
    /// Inserts one row (or proves the call a replay) and returns the stored id, alone or in a
    /// batch. <paramref name="values"/> are the caller's columns (id first) for the idempotency
    /// comparison; <paramref name="bound"/> the insert's parameters, checked and converted
    /// (<see cref="WriteExecutor.InsertAsync"/>).
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Guid> InsertAsync(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        MissingParent missing, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopped, typeof(PipelineDb));
        var writers = Interlocked.Increment(ref _writers);
        try
        {
            // Written only when it changes: every call reads it, from every core.
            if (writers >= _engageAt ? !_engaged : writers <= _disengageAt && _engaged)
            {
                _engaged = writers >= _engageAt;
            }
            if (!_enabled || (!(_engaged && writers > 1) && _observer?.Hold is null))
            {
                if (_observer is { } observer)
                {
                    await observer.BeforeAloneAsync().ConfigureAwait(false);
                }
                return await InsertAloneAsync(spec, values, bound, callerChoseId, missing, cancellationToken).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            var pending = new Pending(spec, values, bound, callerChoseId, missing, cancellationToken);
            _queue.Enqueue(pending);
            if (Interlocked.Increment(ref _queued) >= Volatile.Read(ref _lingerTarget))
            {
                Volatile.Read(ref _lingering)?.TrySetResult();
            }
            StartFlusher();
            _observer?.Queued(); // after the start: a test that has seen its rows queued may close the handle at once
            if (_stopped && _threadExited.Task.IsCompleted)
            {
                // SQLite: the handle closed and its flusher thread has gone; nothing will take this row.
                // (PostgreSQL always has a flusher for queued rows: it writes them or fails them.)
                FailQueued();
            }
            // Not WaitAsync(token): once queued, the call's true outcome is what the caller gets.
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _writers);
        }
    }

    private ValueTask<Guid> InsertAloneAsync(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        MissingParent missing, CancellationToken cancellationToken) =>
        _writes.InsertAloneAsync(spec, values, bound, callerChoseId, missing, cancellationToken);

    /// <summary>Starts a flusher if rows wait and fewer than the limit are running.</summary>
    private void StartFlusher()
    {
        // Pairs with the flusher's decrement-then-look: either it sees our row or we see its exit.
        Interlocked.MemoryBarrier();
        if (_dedicatedThread)
        {
            WakeThread();
            return;
        }
        if (TryEnterFlusher())
        {
            _flushTask = Task.Run(FlushLoopAsync, CancellationToken.None);
        }
    }
}
