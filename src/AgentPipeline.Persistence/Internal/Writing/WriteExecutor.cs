using System.Runtime.CompilerServices;

namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>
/// The one way to the database: opens sessions, runs a unit of work on one, and runs it again on
/// a fresh connection when PostgreSQL fails transiently (lost connection, terminated backend,
/// serialization failure, deadlock). That is safe because every call is idempotent: a repeat that
/// finds its own earlier write succeeds as a replay. SQLite's transient condition (a busy file) is
/// already waited out by its busy timeout, so it is not repeated here. When the attempts run out
/// the transient <see cref="PipelineDatabaseException"/> reaches the caller.
/// </summary>
/// <remarks>
/// Every caller goes through the single loop in <see cref="RunAsync{TWork, T}"/>: the functions'
/// own calls, single-row inserts, and the group committer's batches (which also keep their
/// session from one batch to the next, see <see cref="SessionKeeper"/>). The work is a struct, so
/// the loop adds no delegate or closure to a call, and the loop and the insert are pooled
/// <see cref="ValueTask"/> methods, so a call's layers allocate no task of their own: the caller's
/// public method holds the one <see cref="Task"/> a call allocates.
/// <para>
/// A function hands its checked row to <see cref="InsertAsync"/>; the rows of the tables marked
/// <see cref="CreateSpec.GroupCommitted"/> go through <see cref="Batching"/>, the group-commit
/// policy on top of this executor, which writes them alone or in batches through
/// <see cref="InsertAloneAsync"/> and <see cref="RunBatchAsync"/>.
/// </para>
/// </remarks>
internal sealed class WriteExecutor
{
    private readonly RetryPolicy _retry;
    private readonly StoreLogger? _logger;
    private int _closed;

    /// <summary>
    /// An executor on <paramref name="dialect"/>, retrying as <paramref name="retry"/> says, with
    /// group commit as <paramref name="groupCommit"/> says: on or off (<see cref="PipelineDbOptions.GroupCommit"/>),
    /// its largest batch and the writers in flight from which it engages.
    /// </summary>
    public WriteExecutor(Dialect dialect, PipelineProvider provider, RetryPolicy retry, StoreLogger? logger,
        (bool Enabled, int MaxBatch, int EngageAt) groupCommit)
    {
        Dialect = dialect;
        ProviderTag = WriteMetrics.ProviderTag(provider);
        _retry = retry;
        _logger = logger;
        Batching = new GroupCommitter(this, groupCommit.Enabled, groupCommit.MaxBatch, groupCommit.EngageAt);
    }

    public Dialect Dialect { get; }

    /// <summary>The <c>db.system.name</c> tag of this handle's measurements (see <see cref="WriteMetrics"/>).</summary>
    public KeyValuePair<string, object?> ProviderTag { get; }

    /// <summary>Group commit: the batching policy the group-committed tables' rows go through.</summary>
    public GroupCommitter Batching { get; }

    /// <summary>
    /// The handle is closing: rows already queued for a group commit are written (their calls are
    /// in flight), then opening a session throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async Task CloseAsync()
    {
        await Batching.StopAsync().ConfigureAwait(false);
        Volatile.Write(ref _closed, 1);
    }

    public ValueTask<Session> OpenSessionAsync(bool write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, typeof(PipelineDb));
        return Dialect.OpenAsync(write, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> on a session of its own, retried as the class says.</summary>
    public ValueTask<T> RunAsync<T>(bool write, Func<Session, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync<Returning<T>, T>(write, new Returning<T>(body), keeper: null, cancellationToken);

    /// <inheritdoc cref="RunAsync{T}(bool, Func{Session, CancellationToken, Task{T}}, CancellationToken)"/>
    public ValueTask RunAsync(bool write, Func<Session, CancellationToken, Task> body, CancellationToken cancellationToken) =>
        Discard(RunAsync<Void, bool>(write, new Void(body), keeper: null, cancellationToken));

    /// <summary>
    /// Inserts one checked row (or proves the call a replay) and returns the stored id: in its own
    /// transaction, or in a group commit's batch where the table is
    /// <see cref="CreateSpec.GroupCommitted"/>. The values are converted and their size checked
    /// (<see cref="Dialect.Bind"/>) before any I/O.
    /// </summary>
    /// <remarks>
    /// <c>values</c> are the caller's columns, id first, for the idempotency comparison;
    /// <c>insertArgs</c> the insert's parameters: the caller's columns, then those the store adds
    /// (it may be <c>values</c> itself); <c>missing</c> says why nothing was written when the row
    /// is no replay (a missing or closed parent).
    /// </remarks>
    public ValueTask<Guid> InsertAsync(CreateSpec spec, object?[] values, object?[] insertArgs, bool callerChoseId,
        MissingParent missing, CancellationToken cancellationToken)
    {
        var bound = Dialect.Bind(spec.Insert, insertArgs);
        return spec.GroupCommitted
            ? Batching.InsertAsync(spec, values, bound, callerChoseId, missing, cancellationToken)
            : InsertAloneAsync(spec, values, bound, callerChoseId, missing, cancellationToken);
    }

    /// <summary>
    /// <see cref="InsertAsync"/> for a table whose id is the caller's text (a provider's sandbox or
    /// snapshot id): always its own transaction.
    /// </summary>
    public ValueTask<string> InsertKeyedAsync(CreateSpec spec, object?[] values, object?[] insertArgs, MissingParent missing,
        CancellationToken cancellationToken) =>
        RunAsync<InsertRow<string>, string>(write: true,
            new InsertRow<string>(spec, values, Dialect.Bind(spec.Insert, insertArgs), callerChoseId: true, missing), keeper: null, cancellationToken);

    /// <summary>
    /// Inserts one row in its own transaction and returns the stored id: the row's own id when the
    /// insert wrote it, else the id of an identical earlier row (a replay, see
    /// <see cref="Idempotent.ResolveAsync"/>), else whatever <paramref name="missing"/> diagnoses
    /// (a missing or closed parent). If nothing is found, the insert's failure is a bug.
    /// </summary>
    /// <remarks>
    /// <c>values</c> are the caller's columns, id first, for the idempotency comparison; <c>bound</c>
    /// the insert's parameters, already checked and converted (<see cref="Dialect.Bind"/>).
    /// </remarks>
    public ValueTask<Guid> InsertAloneAsync(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        MissingParent missing, CancellationToken cancellationToken) =>
        RunAsync<InsertRow<Guid>, Guid>(write: true, new InsertRow<Guid>(spec, values, bound, callerChoseId, missing), keeper: null, cancellationToken);

    /// <summary>Runs a group commit's batch, on <paramref name="keeper"/>'s session when it holds one.</summary>
    public ValueTask RunBatchAsync(Func<Session, CancellationToken, Task> body, SessionKeeper? keeper) =>
        Discard(RunAsync<Void, bool>(write: true, new Void(body), keeper, CancellationToken.None));

    private static ValueTask Discard(ValueTask<bool> run) => run.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(run);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitAsync(ValueTask<bool> run) => await run.ConfigureAwait(false);

    /// <summary>A diagnosis found nothing wrong, yet the insert wrote nothing: a bug, not a user error.</summary>
    public static InvalidOperationException Unexplained(string table) =>
        new($"Insert into {table} wrote no row and no reason was found.");

    /// <summary>THE retry loop.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> RunAsync<TWork, T>(bool write, TWork work, SessionKeeper? keeper, CancellationToken cancellationToken)
        where TWork : struct, ISessionWork<T>
    {
        for (var attempt = 1; ; attempt++)
        {
            var session = keeper?.Take();
            try
            {
                session ??= await OpenSessionAsync(write, cancellationToken).ConfigureAwait(false);
                var result = await work.RunAsync(session, cancellationToken).ConfigureAwait(false);
                if (keeper is not null && keeper.TryKeep(session))
                {
                    session = null;
                }
                return result;
            }
            catch (PipelineDatabaseException e) when (e.IsTransient && Dialect.RetriesTransientErrors && attempt < _retry.MaxAttempts)
            {
                // The connection goes back (Npgsql drops a broken one) before the backoff.
                if (session is not null)
                {
                    var broken = session;
                    session = null;
                    await broken.DisposeAsync().ConfigureAwait(false);
                }
                _logger?.TransientRetry(attempt, _retry.MaxAttempts, e);
                WriteMetrics.Retries.Add(1, ProviderTag);
                await Task.Delay(_retry.Delay(attempt), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (session is not null)
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>What the loop runs on a session. A struct, so that running it allocates nothing of its own.</summary>
    private interface ISessionWork<T>
    {
        ValueTask<T> RunAsync(Session session, CancellationToken cancellationToken);
    }

    private readonly struct Returning<T>(Func<Session, CancellationToken, Task<T>> body) : ISessionWork<T>
    {
        public ValueTask<T> RunAsync(Session session, CancellationToken cancellationToken) => new(body(session, cancellationToken));
    }

    private readonly struct Void(Func<Session, CancellationToken, Task> body) : ISessionWork<bool>
    {
        public ValueTask<bool> RunAsync(Session session, CancellationToken cancellationToken)
        {
            var task = body(session, cancellationToken);
            return task.IsCompletedSuccessfully ? new ValueTask<bool>(true) : AwaitAsync(task);
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private static async ValueTask<bool> AwaitAsync(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>One row's insert, then its replay or its diagnosis; <typeparamref name="TId"/> is the table's id type.</summary>
    private readonly struct InsertRow<TId>(CreateSpec spec, object?[] values, object[] bound, bool callerChoseId,
        MissingParent missing) : ISessionWork<TId>
    {
        // Pooled: on PostgreSQL this completes asynchronously on every call.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<TId> RunAsync(Session session, CancellationToken cancellationToken)
        {
            if (await session.ExecuteBoundAsync(spec.Insert, bound, cancellationToken).ConfigureAwait(false) == 1)
            {
                return (TId)values[0]!;
            }
            if (await Idempotent.ResolveAsync(session, spec, values, callerChoseId, cancellationToken).ConfigureAwait(false) is TId stored)
            {
                return stored;
            }
            await missing.DiagnoseAsync(session, cancellationToken).ConfigureAwait(false);
            throw Unexplained(spec.Table);
        }
    }
}

/// <summary>
/// What an insert that wrote nothing and is no replay runs to say why (a missing or closed parent,
/// as an exception): a static function of the caller's record, so that a call allocates no closure
/// for a path that its happy path never takes.
/// </summary>
internal readonly struct MissingParent(object record, Func<Session, object, CancellationToken, Task> diagnose)
{
    /// <summary>For a table whose insert can only write nothing on a replay (no parent to be missing).</summary>
    public static MissingParent None => default;

    public Task DiagnoseAsync(Session session, CancellationToken cancellationToken) =>
        diagnose is null ? Task.CompletedTask : diagnose(session, record, cancellationToken);
}

/// <summary>
/// Keeps the group committer's PostgreSQL session from one batch to the next, for
/// <see cref="KeptBatches"/> batches at most, so that callers waiting for a connection of a small
/// pool get one while writers keep the flusher busy. Npgsql's pool hands out its idle connections
/// in turn, so once more than one is open, batches would otherwise go to a different server
/// backend each time: measured 20–30 % more server CPU per row with 10 connections open.
/// Used by one flusher at a time.
/// </summary>
internal sealed class SessionKeeper
{
    private const int KeptBatches = 8;
    private Session? _kept;
    private int _keptFor;

    public Session? Take()
    {
        var kept = _kept;
        _kept = null;
        return kept;
    }

    /// <summary>Keeps <paramref name="session"/> for the next batch if it may be reused; false when the caller must dispose it.</summary>
    public bool TryKeep(Session session)
    {
        if (session.Reusable && ++_keptFor < KeptBatches)
        {
            _kept = session;
            return true;
        }
        _keptFor = 0;
        return false;
    }

    /// <summary>Gives the kept connection back to the pool. Never throws: the flusher must go on (or exit cleanly) either way.</summary>
    public async Task ReleaseAsync()
    {
        _keptFor = 0;
        if (Take() is { } kept)
        {
            try
            {
                await kept.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Returning an idle connection does no I/O; if it failed anyway, Npgsql drops the
                // connection, and no call's outcome depends on it.
            }
        }
    }
}
