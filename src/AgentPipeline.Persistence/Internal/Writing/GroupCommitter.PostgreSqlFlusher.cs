namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>PostgreSQL: queued rows are taken by one flusher task at a time on the thread pool.</summary>
internal sealed partial class GroupCommitter
{
    // PostgreSQL: the flusher's connection, kept from one batch to the next; null on SQLite, where
    // a write session holds the file's write lock and is never kept between batches.
    private readonly SessionKeeper? _keeper;
    private int _flushing;
    private Task? _flushTask;
    private bool _flushersClosed; // set by StopAsync once no flusher runs; none may start after

    // Linger: after a commit, wait briefly for the writers it released to queue again.
    private static readonly TimeSpan LingerLimit = TimeSpan.FromMilliseconds(1);
    private int _lingerTarget = int.MaxValue;
    private TaskCompletionSource? _lingering;

    private bool TryEnterFlusher()
    {
        while (!_queue.IsEmpty)
        {
            if (Volatile.Read(ref _flushing) > 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
            {
                // Pairs with StopAsync's set-then-look: either it sees this flusher and waits for
                // it, or this sees that the handle has closed and writes nothing.
                if (Volatile.Read(ref _flushersClosed))
                {
                    FailQueued();
                    Interlocked.Decrement(ref _flushing);
                    return false;
                }
                return true;
            }
        }
        return false;
    }

    /// <summary>Gives the kept connection (PostgreSQL) back to the pool. Never throws.</summary>
    private Task ReleaseKeptAsync() => _keeper?.ReleaseAsync() ?? Task.CompletedTask;

    private async Task FlushLoopAsync()
    {
        var expected = 0;
        while (true)
        {
            if (_observer?.Hold is { } hold)
            {
                await hold.WaitAsync().ConfigureAwait(false);
                hold.Release();
            }
            else if (expected > 1)
            {
                await LingerAsync(expected).ConfigureAwait(false);
            }
            var batch = Drain();
            if (batch.Count > 0)
            {
                // Who will be back soon: the writers this batch releases and those already waiting.
                var waiting = Volatile.Read(ref _queued);
                await FlushAsync(batch).ConfigureAwait(false);
                expected = Math.Min(_maxBatch, batch.Count + waiting);
                continue;
            }
            // Nothing queued: give the connection back before another flusher may start.
            await ReleaseKeptAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _flushing);
            if (!TryEnterFlusher())
            {
                return;
            }
            expected = 0;
        }
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> rows are queued, or <see cref="LingerLimit"/> at
    /// most. Writers whose rows were just committed come back within tens of microseconds with
    /// their next row; without this wait the next batch would leave with whoever was quick, and
    /// the writers would split into two half-size batches, each paying a whole flush.
    /// </summary>
    private async Task LingerAsync(int expected)
    {
        if (Volatile.Read(ref _queued) >= expected)
        {
            return;
        }
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _lingerTarget, expected);
        Volatile.Write(ref _lingering, arrived);
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _queued) < expected)
        {
            WriteMetrics.LingerWaits.Add(1, _writes.ProviderTag);
            await Task.WhenAny(arrived.Task, Task.Delay(LingerLimit)).ConfigureAwait(false);
        }
        Volatile.Write(ref _lingering, null);
        Volatile.Write(ref _lingerTarget, int.MaxValue);
    }
}
