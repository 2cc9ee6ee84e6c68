using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Waiting;

/// <summary>
/// Everything <see cref="PipelinePersistence.WaitForCtaResolutionAsync"/> shares within one
/// <see cref="PipelineDb"/>: the waiters by CTA id, and one background <see cref="CtaWatcher"/>
/// (PostgreSQL: a LISTEN connection; SQLite: a poll with backoff) that wakes them when their CTA
/// is resolved elsewhere. A waiter holds no connection: it reads its CTA's row when woken (or when
/// its deadline comes), so hundreds of waiters cost a dictionary entry and a timer each, plus one
/// watcher for them all. The watcher starts with the first waiter and stops with the last.
/// </summary>
internal sealed class CtaWatch
{
    /// <summary>The PostgreSQL channel the resolving statements notify, with the CTA's id (text) as payload.</summary>
    public const string Channel = "agentpipe_cta";

    /// <summary>
    /// Appended to every UPDATE that resolves CTAs on PostgreSQL (the <c>{notifycta}</c>
    /// placeholder): one notification per resolved row, sent by the server when the transaction
    /// commits and never when it rolls back. The UPDATE's row count is unchanged.
    /// </summary>
    public const string ReturningNotify = " RETURNING pg_notify('" + Channel + "', id::text)";

    /// <summary>PostgreSQL's safety-net poll: how often the listener also asks which waited-for CTAs are resolved.</summary>
    public static readonly TimeSpan DefaultSafetyPollInterval = TimeSpan.FromSeconds(30);

    /// <summary>SQLite's first poll interval (doubled after each poll, back to this when a waiter arrives).</summary>
    public static readonly TimeSpan DefaultFirstPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>SQLite's longest poll interval.</summary>
    public static readonly TimeSpan DefaultMaxPollInterval = TimeSpan.FromSeconds(2);

    /// <summary><see cref="DefaultSafetyPollInterval"/> for this handle (a test turns it off with <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public TimeSpan SafetyPollInterval { get; set; } = DefaultSafetyPollInterval;

    /// <summary><see cref="DefaultFirstPollInterval"/> for this handle (a test turns polling off with <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public TimeSpan FirstPollInterval { get; set; } = DefaultFirstPollInterval;

    /// <summary><see cref="DefaultMaxPollInterval"/> for this handle.</summary>
    public TimeSpan MaxPollInterval { get; set; } = DefaultMaxPollInterval;

    // Ids per poll query: well inside any statement size, and one index probe each.
    private const int PollChunk = 500;

    private static readonly Sql SqliteResolved = new(
        "SELECT id FROM {s}.cta_events WHERE responded_at IS NOT NULL AND id IN (SELECT value FROM json_each(@ids))",
        [new("ids", Col.Text)], [new("id", Col.Guid)]);

    private static readonly Sql PostgreSqlResolved = new(
        "SELECT id FROM {s}.cta_events WHERE responded_at IS NOT NULL AND id IN (SELECT value::uuid FROM json_array_elements_text(@ids::json))",
        [new("ids", Col.Text)], [new("id", Col.Guid)]);

    private readonly PipelineDb _db;
    private readonly CtaWatcher _watcher;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, List<CtaWaiter>> _waiters = [];
    private int _count;
    private (CancellationTokenSource Stop, Task Task)? _run;
    // Watchers told to stop when the last waiter left, still closing their connection.
    private readonly List<Task> _stopping = [];
    private bool _closed;

    // Where the PostgreSQL listener stands (for tests and diagnosis): its backend's pid while listening.
    private int? _listenerPid;
    private TaskCompletionSource _listenerChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CtaWatch(PipelineDb db, string? listenerConnectionString, StoreLogger? logger)
    {
        _db = db;
        Logger = logger;
        _watcher = listenerConnectionString is null ? new SqliteCtaPoller() : new PostgreSqlCtaListener(listenerConnectionString);
    }

    public StoreLogger? Logger { get; }

    /// <summary>
    /// Called with the CTA's id each time a waiter has read its open CTA and goes to sleep: lets a
    /// test act while a wait is certainly in progress, without sleeping itself. Null in use.
    /// </summary>
    public Action<Guid>? SleepObserver { get; set; }

    /// <summary>How many waits are in progress.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Whether the background watcher is running (it runs exactly while someone waits).</summary>
    public bool Watching
    {
        get
        {
            lock (_gate)
            {
                return _run is not null;
            }
        }
    }

    /// <summary>Adds a waiter for <paramref name="ctaId"/>, starting the watcher if it is the first.</summary>
    /// <exception cref="ObjectDisposedException">The handle is closing or closed.</exception>
    public CtaWaiter Register(Guid ctaId)
    {
        var waiter = new CtaWaiter(ctaId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(PipelineDb));
            if (!_waiters.TryGetValue(ctaId, out var list))
            {
                _waiters[ctaId] = list = [];
            }
            list.Add(waiter);
            _count++;
            if (_run is null)
            {
                var stop = new CancellationTokenSource();
                _run = (stop, Task.Run(() => _watcher.RunAsync(this, stop.Token), CancellationToken.None));
            }
        }
        _watcher.WaiterArrived();
        return waiter;
    }

    /// <summary>Removes a waiter; the last one to leave stops the watcher (and closes its connection).</summary>
    public void Unregister(CtaWaiter waiter)
    {
        CancellationTokenSource? stop = null;
        lock (_gate)
        {
            if (_waiters.TryGetValue(waiter.CtaId, out var list) && list.Remove(waiter))
            {
                if (list.Count == 0)
                {
                    _waiters.Remove(waiter.CtaId);
                }
                if (--_count == 0 && _run is { } run)
                {
                    stop = run.Stop;
                    _run = null;
                    _stopping.RemoveAll(t => t.IsCompleted);
                    _stopping.Add(run.Task);
                }
            }
        }
        // Outside the lock: cancelling runs the watcher's cancellation callbacks. It ends on its own.
        stop?.Cancel();
    }

    /// <summary>Wakes the waiters of <paramref name="ctaId"/>: it may have been resolved.</summary>
    public void Wake(Guid ctaId)
    {
        lock (_gate)
        {
            if (_waiters.TryGetValue(ctaId, out var list))
            {
                foreach (var waiter in list)
                {
                    waiter.Signal.Set();
                }
            }
        }
    }

    /// <summary>Wakes the waiters of every CTA of <paramref name="runId"/> (failing a run times its open CTAs out).</summary>
    public void WakeRun(Guid runId)
    {
        lock (_gate)
        {
            foreach (var list in _waiters.Values)
            {
                foreach (var waiter in list)
                {
                    if (waiter.RunId is not { } known || known == runId)
                    {
                        waiter.Signal.Set();
                    }
                }
            }
        }
    }

    /// <summary>Asks, in one query per 500 ids, which waited-for CTAs are resolved, and wakes their waiters.</summary>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        Guid[] ids;
        lock (_gate)
        {
            ids = [.. _waiters.Keys];
        }
        var sql = _db.Provider == PipelineProvider.PostgreSql ? PostgreSqlResolved : SqliteResolved;
        foreach (var chunk in ids.Chunk(PollChunk))
        {
            var json = JsonSerializer.Serialize(chunk.Select(id => id.ToString("D")));
            var resolved = await _db.RunAsync(write: false, (session, ct) => session.QueryRowsAsync(sql, [json], ct), cancellationToken)
                .ConfigureAwait(false);
            foreach (var row in resolved)
            {
                Wake((Guid)row[0]!);
            }
        }
    }

    /// <summary><see cref="PollAsync"/> that logs a failure instead of throwing: the next poll tries again.</summary>
    public async Task TryPollAsync(CancellationToken stop)
    {
        try
        {
            await PollAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is PipelinePersistenceException or ObjectDisposedException)
        {
            Logger?.CtaPollFailed(e);
        }
    }

    /// <summary>The PostgreSQL listener reports its backend's pid when LISTEN has taken effect, and null when it lost the connection.</summary>
    public void SetListening(int? pid)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_listenerPid == pid)
            {
                return;
            }
            _listenerPid = pid;
            changed = _listenerChanged;
            _listenerChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.SetResult();
    }

    /// <summary>
    /// The pid of the PostgreSQL listener's backend once it is listening, other than
    /// <paramref name="notPid"/> (a connection the caller knows was lost): for tests and diagnosis.
    /// </summary>
    public async Task<int> ListeningAsync(int? notPid, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_listenerPid is { } pid && pid != notPid)
                {
                    return pid;
                }
                changed = _listenerChanged.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends every wait with <see cref="ObjectDisposedException"/> and stops the watcher, waiting for it to close its connection.</summary>
    public async Task CloseAsync()
    {
        (CancellationTokenSource Stop, Task Task)? run;
        List<CtaWaiter> waiting;
        Task[] stopping;
        lock (_gate)
        {
            _closed = true;
            run = _run;
            _run = null;
            waiting = [.. _waiters.Values.SelectMany(l => l)];
            stopping = [.. _stopping];
        }
        var disposed = new ObjectDisposedException(nameof(PipelineDb), "The PipelineDb was disposed while waiting for the CTA.");
        foreach (var waiter in waiting)
        {
            waiter.Fail(disposed);
        }
        if (run is { } r)
        {
            await r.Stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await r.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        foreach (var task in stopping)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
