namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>Closing the handle: queued rows are written or failed, never left waiting.</summary>
internal sealed partial class GroupCommitter
{
    /// <summary>
    /// The handle is closing: new calls are refused, rows already queued are written (their calls
    /// finish), and this returns when the flusher has stopped. A row queued in the race with the
    /// flusher's last look fails with <see cref="ObjectDisposedException"/> instead of waiting forever.
    /// </summary>
    internal async Task StopAsync()
    {
        Thread? thread;
        lock (_wake)
        {
            // Under the lock WakeThread starts the thread with: a thread exists now, or none ever will.
            _stopped = true;
            thread = _thread;
        }
        Interlocked.MemoryBarrier();
        _observer?.ReleaseHold();
        if (thread is not null)
        {
            _wake.Release();
            await _threadExited.Task.ConfigureAwait(false);
        }
        else
        {
            // A flusher that has just won TryEnterFlusher may not have published its task yet:
            // wait until none runs, then close the door (and look once more: one that entered
            // meanwhile either sees the door closed or is waited for).
            while (true)
            {
                if (Volatile.Read(ref _flushTask) is { } flushing)
                {
                    await flushing.ConfigureAwait(false);
                }
                if (Volatile.Read(ref _flushing) == 0)
                {
                    Volatile.Write(ref _flushersClosed, true);
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref _flushing) == 0)
                    {
                        break;
                    }
                }
                await Task.Yield();
            }
        }
        FailQueued();
    }

    private void FailQueued()
    {
        while (_queue.TryDequeue(out var orphan))
        {
            Interlocked.Decrement(ref _queued);
            orphan.Completion.TrySetException(new ObjectDisposedException(nameof(PipelineDb)));
        }
    }
}
