using AgentPipeline.Persistence.Internal.Writing;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// Background checkpoints: SQLite's automatic checkpoint is off on every pooled connection
/// (wal_autocheckpoint = 0), and the WAL is copied into the database file here, on a thread of its own.
/// </summary>
internal sealed partial class SqliteDialect
{
    // Checkpoints run in the background (see CountWrite): write sessions since the last one, and whether one runs.
    internal const int CheckpointEvery = 256; // 64 measured 8-10 % fewer rows/s under 16 writers (more pages copied twice)
    private int _writesSinceCheckpoint;
    private int _checkpointing;

    /// <summary>After each write session: every <see cref="CheckpointEvery"/> of them starts a checkpoint (at most one at a time).</summary>
    private void CountWrite()
    {
        if (Interlocked.Increment(ref _writesSinceCheckpoint) >= CheckpointEvery
            && Interlocked.CompareExchange(ref _checkpointing, 1, 0) == 0)
        {
            Volatile.Write(ref _writesSinceCheckpoint, 0);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            StartCheckpoint(done);
            Volatile.Read(ref _checkpointObserver)?.Started(done.Task);
        }
    }

    /// <summary>WAL frames (4 KB pages) past which a checkpoint makes sure the WAL starts over: about 32 MB.</summary>
    internal const long RestartFrames = 8192;

    /// <summary>One PASSIVE checkpoint; returns the frames in the WAL.</summary>
    private static long CheckpointOnce(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        // busy, frames in the WAL, frames copied (-1, -1 when not in WAL mode).
        return reader.Read() ? reader.GetInt64(1) : 0;
    }

    /// <summary>
    /// Hands a checkpoint to this handle's checkpoint thread (started on first use). A thread of its
    /// own, not the thread pool: callers busy on every pool thread must not hold it back while the
    /// WAL grows.
    /// </summary>
    private void StartCheckpoint(TaskCompletionSource done)
    {
        lock (_checkpointRequests)
        {
            _checkpointRequests.Enqueue(done);
            if (_checkpointThread is null)
            {
                _checkpointThread = new Thread(CheckpointThread) { IsBackground = true, Name = "AgentPipeline checkpoint" };
                _checkpointThread.Start();
            }
            Monitor.Pulse(_checkpointRequests);
        }
    }

    private void CheckpointThread()
    {
        while (true)
        {
            TaskCompletionSource done;
            lock (_checkpointRequests)
            {
                while (_checkpointRequests.Count == 0)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    Monitor.Wait(_checkpointRequests);
                }
                done = _checkpointRequests.Dequeue();
            }
            try
            {
                Checkpoint();
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                // The handle is closing under it; an exception must not end this thread (nor the process).
            }
            finally
            {
                done.TrySetResult();
            }
        }
    }

    private readonly Queue<TaskCompletionSource> _checkpointRequests = new();
    private Thread? _checkpointThread;

    private ICheckpointObserver? _checkpointObserver;

    /// <summary>Told of each background checkpoint as it starts; null (the default) costs one read per checkpoint.</summary>
    internal ICheckpointObserver? CheckpointObserver
    {
        get => Volatile.Read(ref _checkpointObserver);
        set => Volatile.Write(ref _checkpointObserver, value);
    }

    /// <summary>
    /// Copies the WAL's committed pages into the database file (a PASSIVE checkpoint), on a pooled
    /// connection of its own and without the write gate: SQLite lets it run while the writer goes
    /// on, so the copy and its fsyncs no longer stall one commit in every thousand pages as
    /// SQLite's automatic checkpoint does. Every <see cref="CheckpointEvery"/> write transactions; at most one at a time. A
    /// failure (a full disk, say) is left for the writers to meet and report; the next one tries again.
    /// Runs on the checkpoint thread (see <see cref="StartCheckpoint"/>).
    /// </summary>
    private void Checkpoint()
    {
        try
        {
            if (_disposed)
            {
                return;
            }
            _slots.Wait();
            PooledConnection? pooled = null;
            var broken = false;
            try
            {
                lock (_idle)
                {
                    _idle.TryPop(out pooled);
                }
                pooled ??= Create();
                var frames = CheckpointOnce(pooled.Connection);
                WriteMetrics.SqliteCheckpoints.Add(1, WriteMetrics.ProviderTag(PipelineProvider.Sqlite));
                WriteMetrics.SqliteWalFrames.Record(frames, WriteMetrics.ProviderTag(PipelineProvider.Sqlite));
                if (frames >= RestartFrames)
                {
                    // SQLite starts the WAL over only when a write transaction begins with every
                    // frame copied; under steady writing a checkpoint beside the writer never sees
                    // that moment, and the WAL would grow without end. So when it is this large,
                    // copy the last frames with this process's writers held back (only the frames
                    // added since the pass above): the next write transaction starts it over.
                    _writeGate.Wait();
                    try
                    {
                        CheckpointOnce(pooled.Connection);
                    }
                    finally
                    {
                        _writeGate.Release();
                    }
                }
            }
            catch (Exception e) when (e is SqliteException or PipelineDatabaseException)
            {
                broken = true;
            }
            finally
            {
                if (pooled is not null)
                {
                    Release(pooled, gated: false, broken);
                }
                else
                {
                    _slots.Release();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }
}
