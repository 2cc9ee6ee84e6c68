using System.Collections.Concurrent;
using AgentPipeline.Persistence.Internal.Writing;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Group commit for the hot creates (steps, tool calls, memory records, invocations).
/// <list type="bullet">
/// <item>Every call checks and converts its values first (<see cref="Dialect.Bind"/>), on its own
/// thread, before any I/O: a bad value fails only that call, and the flusher only executes.</item>
/// <item>A writer alone goes straight to the database in its own transaction; so do overlapping
/// writers until <see cref="PipelineDbOptions.GroupCommitMinWriters"/> of them (default 2) are in
/// flight at once.</item>
/// <item>Writers that overlap queue their rows; one flusher takes everything queued and writes it
/// in one transaction with one commit, so the commit's flush is shared. On PostgreSQL the batch is
/// one round trip, the rows of one table are one multi-row statement (<c>unnest</c> of array
/// parameters) where the table has one, and after each commit the flusher lingers (1 ms at most)
/// until the writers it released are back with their next rows, so batches stay whole instead of
/// splitting into two half-size ones that each pay a flush. On SQLite the flusher is a thread of
/// its own (see <see cref="FlushThread"/>).</item>
/// <item>Each call completes only after the commit that holds its row.</item>
/// <item>A row that wrote nothing is diagnosed after the commit: a replay returns the stored id, a
/// conflict fails only that call, and anything else (a parent that was in the same batch, or a
/// missing one) is tried once more on its own, which stores it or reports the missing parent.</item>
/// <item>If the batch itself fails on the database, every call in it is retried on its own, so
/// one bad row cannot fail the others.</item>
/// </list>
/// </summary>
internal sealed class GroupCommitter
{
    private readonly WriteExecutor _writes;
    private readonly Dialect _dialect;
    private readonly bool _enabled;
    private readonly int _maxBatch;

    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _writers;

    // PostgreSQL: the flusher's connection, kept from one batch to the next; null on SQLite, where
    // a write session holds the file's write lock and is never kept between batches.
    private readonly SessionKeeper? _keeper;

    // Engaged: overlapping calls queue. Engages when a call finds EngageAt writers in flight (itself
    // included), disengages when one finds DisengageAt or fewer, so that one burst of writers is
    // either all batched or all alone: a mix of both was slower than either (docs/performance.md).
    private readonly int _engageAt;
    private readonly int _disengageAt;
    private volatile bool _engaged;
    private int _flushing;
    private int _queued;

    // Linger (PostgreSQL): after a commit, wait briefly for the writers it released to queue again.
    private static readonly TimeSpan LingerLimit = TimeSpan.FromMilliseconds(1);
    private int _lingerTarget = int.MaxValue;
    private TaskCompletionSource? _lingering;

    // SQLite: one dedicated flusher thread (see FlushThread).
    private readonly bool _dedicatedThread;
    private readonly SemaphoreSlim _wake = new(0);
    private Thread? _thread;
    private readonly TaskCompletionSource _threadExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _flushTask;
    private int _sleeping;
    private volatile bool _stopped;
    private bool _flushersClosed; // PostgreSQL: set by StopAsync once no flusher runs; none may start after

    public GroupCommitter(WriteExecutor writes, bool enabled, int maxBatch, int engageAt)
    {
        _writes = writes;
        _dialect = writes.Dialect;
        _enabled = enabled;
        _maxBatch = Math.Max(1, maxBatch);
        _engageAt = Math.Max(2, engageAt);
        _disengageAt = _engageAt / 2;
        // SQLite runs in process and its writers take turns: one thread of our own keeps writing
        // batches while the callers prepare their next rows on the thread pool, instead of a
        // flusher that is queued on the pool behind the very callers it should serve.
        _dedicatedThread = _dialect.CompletesSynchronously;
        _keeper = _dedicatedThread ? null : new SessionKeeper();
    }

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

    /// <summary>
    /// Inserts one row (or proves the call a replay) and returns the stored id.
    /// <paramref name="values"/> are the caller's columns (id first) for the idempotency
    /// comparison; <paramref name="insertArgs"/> the insert's parameters.
    /// </summary>
    public async Task<Guid> InsertAsync(CreateSpec spec, object?[] values, object?[] insertArgs, bool callerChoseId,
        Func<Session, CancellationToken, Task> missing, CancellationToken cancellationToken)
    {
        var bound = _dialect.Bind(spec.Insert, insertArgs);
        ObjectDisposedException.ThrowIf(_stopped, typeof(PipelineDb));
        var writers = Interlocked.Increment(ref _writers);
        try
        {
            // Written only when it changes: every call reads it, from every core.
            if (writers >= _engageAt ? !_engaged : writers <= _disengageAt && _engaged)
            {
                _engaged = writers >= _engageAt;
            }
            if (!_enabled || (!(_engaged && writers > 1) && Hold is null))
            {
                if (BeforeAlone is { } beforeAlone)
                {
                    await beforeAlone().ConfigureAwait(false);
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
            Queued?.Invoke(); // after the start: a test that has seen its rows queued may close the handle at once
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

    private Task<Guid> InsertAloneAsync(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        Func<Session, CancellationToken, Task> missing, CancellationToken cancellationToken) =>
        _writes.InsertAsync(spec, values, bound, callerChoseId, missing, cancellationToken);

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
            if (Hold is { } hold)
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
        if (Hold is { } hold)
        {
            // A test's held batch must not keep the handle from closing (its flusher waits on it).
            Hold = null;
            hold.Release();
        }
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

    private List<Pending> Drain()
    {
        var batch = new List<Pending>();
        while (batch.Count < _maxBatch && _queue.TryDequeue(out var next))
        {
            Interlocked.Decrement(ref _queued);
            if (next.CancellationToken.IsCancellationRequested)
            {
                next.Completion.TrySetCanceled(next.CancellationToken); // never written
            }
            else
            {
                batch.Add(next);
            }
        }
        return batch;
    }

    /// <summary>Gives the kept connection (PostgreSQL) back to the pool. Never throws.</summary>
    private Task ReleaseKeptAsync() => _keeper?.ReleaseAsync() ?? Task.CompletedTask;

    private async Task FlushLoopAsync()
    {
        var expected = 0;
        while (true)
        {
            if (Hold is { } hold)
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
            await Task.WhenAny(arrived.Task, Task.Delay(LingerLimit)).ConfigureAwait(false);
        }
        Volatile.Write(ref _lingering, null);
        Volatile.Write(ref _lingerTarget, int.MaxValue);
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        var ids = new Guid[batch.Count];
        var outcomes = new Exception?[batch.Count];
        var again = new List<int>();
        try
        {
            await _writes.RunBatchAsync(async (session, ct) =>
            {
                Array.Clear(outcomes);
                again.Clear();
                var (statements, rows) = Plan(batch);
                // SQLite: one BEGIN IMMEDIATE … COMMIT around the batch. PostgreSQL: no explicit
                // transaction; the batch's statements up to its single Sync form one implicit
                // transaction, so rows and commit cost one round trip and one flush.
                var explicitTransaction = !_dialect.BatchIsTransaction;
                if (explicitTransaction)
                {
                    await session.BeginAsync(ct).ConfigureAwait(false);
                }
                var results = await session.ExecuteBatchAsync(statements, ct).ConfigureAwait(false);
                if (explicitTransaction)
                {
                    await session.CommitAsync(ct).ConfigureAwait(false);
                }
                // Rows that wrote nothing are diagnosed after the commit: they wrote nothing to undo.
                for (var s = 0; s < statements.Count; s++)
                {
                    var shared = results[s].InsertedIds is null ? null : SharedIds(batch, rows[s]);
                    foreach (var i in rows[s])
                    {
                        var p = batch[i];
                        var id = (Guid)p.Values[0]!;
                        var written = results[s].InsertedIds is { } inserted
                            ? inserted.Contains(id) && !shared!.Contains(id)
                            : results[s].Affected == 1;
                        if (written)
                        {
                            ids[i] = id;
                            continue;
                        }
                        try
                        {
                            if (await Idempotent.ResolveAsync(session, p.Spec, p.Values, p.CallerChoseId, ct).ConfigureAwait(false) is Guid stored)
                            {
                                ids[i] = stored;
                            }
                            else
                            {
                                again.Add(i); // its parent may have been in this batch; alone, it is stored or diagnosed
                            }
                        }
                        catch (Exception e) when (e is PipelinePersistenceException and not PipelineDatabaseException || e is ArgumentException)
                        {
                            outcomes[i] = e; // this row's own failure; the others go on
                        }
                    }
                }
            }, _keeper).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PipelineDatabaseException { IsTransient: true } or ObjectDisposedException)
        {
            // The database stayed unreachable through every retry, or the handle closed: no row
            // could be written on its own either.
            foreach (var p in batch)
            {
                p.Completion.TrySetException(e);
            }
            return;
        }
        catch (Exception) when (batch.Count > 1)
        {
            // The batch failed as a whole (a row the database rejected): give each call its own
            // transaction, one after another and parents' tables first, so only the row at fault fails.
            await IsolateAsync(batch.Select((p, i) => i)).ConfigureAwait(false);
            return;
        }
        catch (Exception e)
        {
            batch[0].Completion.TrySetException(e);
            return;
        }
        LastBatchSize = batch.Count;
        BatchCommitted?.Invoke();
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedRows, batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } error)
            {
                batch[i].Completion.TrySetException(error);
            }
            else if (!again.Contains(i))
            {
                batch[i].Completion.TrySetResult(ids[i]);
            }
        }
        if (again.Count > 0)
        {
            // Each row alone takes a connection of its own: the kept one goes back first, so a
            // pool of one connection still has one for them.
            await ReleaseKeptAsync().ConfigureAwait(false);
            await IsolateAsync(again).ConfigureAwait(false);
        }

        async Task IsolateAsync(IEnumerable<int> rows)
        {
            foreach (var i in rows.OrderBy(i => batch[i].Spec.BatchOrder))
            {
                await IsolatedAsync(batch[i]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The batch as statements in a safe order (parents' tables first), and which rows each one
    /// writes. Where the dialect takes array parameters, a table's rows share one statement.
    /// </summary>
    private (List<BatchStatement> Statements, List<List<int>> Rows) Plan(List<Pending> batch)
    {
        var statements = new List<BatchStatement>();
        var rows = new List<List<int>>();
        var multiRow = _dialect.MultiRowInserts;
        var groups = batch.Select((p, i) => (p, i)).GroupBy(x => x.p.Spec).OrderBy(g => g.Key.BatchOrder);
        foreach (var group in groups)
        {
            var members = group.Select(x => x.i).ToList();
            if (multiRow && group.Key.InsertMany is { } many && members.Count > 1)
            {
                statements.Add(new BatchStatement(many, null, [.. members.Select(i => batch[i].Bound)]));
                rows.Add(members);
                continue;
            }
            foreach (var i in members)
            {
                statements.Add(new BatchStatement(group.Key.Insert, batch[i].Bound, null));
                rows.Add([i]);
            }
        }
        return (statements, rows);
    }

    /// <summary>
    /// Ids that more than one row of a multi-row statement carries: for those, "an id came back"
    /// does not say which row wrote it, so each is diagnosed like a row that wrote nothing.
    /// </summary>
    private static HashSet<Guid> SharedIds(List<Pending> batch, List<int> members)
    {
        var seen = new HashSet<Guid>(members.Count);
        var shared = new HashSet<Guid>();
        foreach (var i in members)
        {
            var id = (Guid)batch[i].Values[0]!;
            if (!seen.Add(id))
            {
                shared.Add(id);
            }
        }
        return shared;
    }

    private async Task IsolatedAsync(Pending p)
    {
        try
        {
            p.Completion.TrySetResult(await InsertAloneAsync(p.Spec, p.Values, p.Bound, p.CallerChoseId, p.Missing, CancellationToken.None)
                .ConfigureAwait(false));
        }
        catch (Exception e)
        {
            p.Completion.TrySetException(e);
        }
    }

    private sealed class Pending(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        Func<Session, CancellationToken, Task> missing, CancellationToken cancellationToken)
    {
        public CreateSpec Spec { get; } = spec;
        public object?[] Values { get; } = values;
        public object[] Bound { get; } = bound;
        public bool CallerChoseId { get; } = callerChoseId;
        public Func<Session, CancellationToken, Task> Missing { get; } = missing;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<Guid> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
