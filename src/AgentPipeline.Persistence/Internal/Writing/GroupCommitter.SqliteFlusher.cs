namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>SQLite: queued rows are taken by one thread of the handle's own.</summary>
internal sealed partial class GroupCommitter
{
    // SQLite: one dedicated flusher thread (see FlushThread).
    private readonly bool _dedicatedThread;
    private readonly SemaphoreSlim _wake = new(0);
    private Thread? _thread;
    private readonly TaskCompletionSource _threadExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sleeping;

    private void WakeThread()
    {
        if (_thread is null)
        {
            lock (_wake)
            {
                if (_stopped)
                {
                    // StopAsync has looked for a thread (under this lock) and found none: no
                    // thread may start after it; the row fails instead of being written after close.
                    FailQueued();
                    return;
                }
                if (_thread is null)
                {
                    _thread = new Thread(FlushThread) { IsBackground = true, Name = "AgentPipeline group commit" };
                    _thread.Start();
                    return;
                }
            }
        }
        if (Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// The SQLite flusher: writes whatever is queued, batch after batch, and sleeps when nothing
    /// is. SQLite's calls complete synchronously, so blocking on them costs this thread only.
    /// </summary>
    private void FlushThread()
    {
        _dialect.MayBlockThisThread();
        while (true)
        {
            if (_observer?.Hold is { } hold)
            {
                hold.Wait();
                hold.Release();
            }
            var batch = Drain();
            if (batch.Count > 0)
            {
                FlushAsync(batch).GetAwaiter().GetResult();
                continue;
            }
            if (_stopped)
            {
                // Exit first, then fail what raced in: a row queued after this sees the exit and fails itself.
                _threadExited.TrySetResult();
                FailQueued();
                return;
            }
            Volatile.Write(ref _sleeping, 1);
            Interlocked.MemoryBarrier();
            if (!_queue.IsEmpty || _stopped)
            {
                // Rows arrived meanwhile: take them; if a caller already claimed the wake-up, its
                // Release only makes the next Wait return at once.
                Interlocked.Exchange(ref _sleeping, 0);
                continue;
            }
            _wake.Wait();
        }
    }
}
