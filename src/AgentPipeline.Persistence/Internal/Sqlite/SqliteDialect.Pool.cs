using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// The pool: idle connections, a slot per connection allowed, and the write gate that queues this
/// process's writers in memory instead of letting them spin on SQLITE_BUSY.
/// </summary>
internal sealed partial class SqliteDialect
{
    /// <summary>Each connection's page cache (<c>PRAGMA cache_size</c>, negative: KiB).</summary>
    internal const int CacheSizeKib = -16384;

    private readonly int _busyTimeoutMs;
    // Idle connections, most recently used on top (its pages are warm); a lock, not a
    // ConcurrentBag, because a bag's per-thread lists make a call that resumed on another thread steal.
    private readonly Stack<PooledConnection> _idle = new();
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _walChecked;
    private bool _disposed;

    /// <summary>
    /// Set (<see cref="MayBlockThisThread"/>) on a thread of our own that may block (the group-commit flusher's): it waits for a
    /// connection and the write gate synchronously, so that when a lone writer or the checkpoint
    /// holds the gate its batch goes on on that thread, not in a continuation queued behind the
    /// very callers it serves on a busy thread pool.
    /// </summary>
    [ThreadStatic]
    private static bool BlockingThread;

    public override void MayBlockThisThread() => BlockingThread = true;

    public override async ValueTask<Session> OpenAsync(bool write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var blocking = BlockingThread;
        if (blocking)
        {
            _slots.Wait(cancellationToken);
        }
        else
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var gated = false;
        try
        {
            if (write)
            {
                if (blocking)
                {
                    _writeGate.Wait(cancellationToken);
                }
                else
                {
                    await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                gated = true;
            }
            PooledConnection? idle;
            lock (_idle)
            {
                _idle.TryPop(out idle);
            }
            var pooled = idle ?? Create();
            return new SqliteSession(this, pooled, gated);
        }
        catch
        {
            if (gated)
            {
                _writeGate.Release();
            }
            _slots.Release();
            throw;
        }
    }

    private PooledConnection Create()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            if (Interlocked.Exchange(ref _walChecked, 1) == 0)
            {
                // journal_mode is stored in the file; setting it once per handle is enough.
                command.CommandText = "PRAGMA journal_mode = WAL;";
                command.ExecuteNonQuery();
            }
            // These live on the connection, not the file: every pooled connection needs them.
            // wal_autocheckpoint = 0: a commit never stops to copy the WAL into the database file
            // and fsync it; Checkpoint does that beside the writer (see Release).
            // cache_size: up to 16 MiB of pages per connection (SQLite's default is 2 MiB, filled as pages are read),
            // so that the pieces of a long conversation's shared request (3 MB of pieces spread over the run's pages,
            // docs/storage.md) are read from the cache the next time rather than from the file, page by page.
            command.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = {CacheSizeKib};");
            command.ExecuteNonQuery();
            return new PooledConnection(connection, DirectCalls);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Translate(e);
        }
    }

    internal void Release(PooledConnection connection, bool gated, bool broken)
    {
        if (broken || _disposed)
        {
            connection.Dispose();
        }
        else
        {
            lock (_idle)
            {
                _idle.Push(connection);
            }
        }
        if (gated)
        {
            _writeGate.Release();
        }
        _slots.Release();
        if (gated)
        {
            CountWrite();
        }
    }
}
