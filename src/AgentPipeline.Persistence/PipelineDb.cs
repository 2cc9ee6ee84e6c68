using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.PostgreSql;
using AgentPipeline.Persistence.Internal.Sqlite;
using AgentPipeline.Persistence.Internal.Writing;
using AgentPipeline.Persistence.Schema;
using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Persistence;

/// <summary>
/// The long-lived, thread-safe handle to one pipeline database, like a connection pool: open it
/// once and share it between every orchestrator and every parallel sub-agent. Pass it as
/// <c>db</c> to the functions of <see cref="PipelinePersistence"/>.
/// </summary>
/// <remarks>
/// SQLite opens the file in WAL mode with foreign keys on, <c>synchronous=NORMAL</c> and a busy
/// timeout on every pooled connection; writers within one process queue in memory. PostgreSQL
/// keeps its tables in schema <c>agent</c> and uses Npgsql's pool.
/// </remarks>
public sealed class PipelineDb : IAsyncDisposable, IDisposable
{
    private readonly TimeProvider _time;
    private readonly StoreLogger? _logger;
    private Task? _closing;

    private PipelineDb(PipelineDbOptions options)
    {
        _time = options.TimeProvider ?? throw new ArgumentException("TimeProvider is required.", nameof(options));
        Provider = options.Provider;
        LoggerFactory = options.LoggerFactory;
        _logger = options.LoggerFactory is null ? null : new StoreLogger(options.LoggerFactory, options);
        Redactor = (options.SecretRedaction ?? throw new ArgumentException("SecretRedaction is required.", nameof(options))).CreateRedactor();
        if (options.GroupCommitMinWriters < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.GroupCommitMinWriters,
                "options.GroupCommitMinWriters must be at least 2 (a call alone never waits for others).");
        }
        Dialect = options.Provider switch
        {
            PipelineProvider.Sqlite => new SqliteDialect(options.ConnectionString, options.SqliteBusyTimeout, Math.Max(1, options.SqliteMaxConnections),
                directCalls: options.SqliteDirectCalls && SqliteNative.Available)
            {
                MaxValueBytes = options.MaxValueBytes,
            },
            PipelineProvider.PostgreSql => new PostgreSqlDialect(options.ConnectionString) { MaxValueBytes = options.MaxValueBytes },
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown provider."),
        };
        Writes = new WriteExecutor(Dialect, options.Provider, new RetryPolicy(options.TransientRetryAttempts, options.TransientRetryBaseDelay), _logger,
            (options.GroupCommit, options.GroupCommitMaxBatch, options.GroupCommitMinWriters));
        CtaWatch = new Internal.Waiting.CtaWatch(this, (Dialect as PostgreSqlDialect)?.ListenerConnectionString, _logger);
    }

    /// <summary>The waiters of <see cref="PipelinePersistence.WaitForCtaResolutionAsync"/> and what wakes them.</summary>
    internal Internal.Waiting.CtaWatch CtaWatch { get; }

    /// <summary>The injected clock (deadlines of CTA waits are kept on it).</summary>
    internal TimeProvider Time => _time;

    /// <summary>Where this handle logs (<see cref="PipelineDbOptions.LoggerFactory"/>), or null.</summary>
    internal Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; }

    /// <summary>Which database this handle talks to.</summary>
    public PipelineProvider Provider { get; }

    internal Dialect Dialect { get; }

    /// <summary>The group-commit policy of <see cref="Writes"/> (tests attach their observer to it).</summary>
    internal GroupCommitter GroupCommit => Writes.Batching;

    /// <summary>Resolved once at open (null when redaction is off), so later option changes cannot race a call.</summary>
    internal ISecretRedactor? Redactor { get; }

    /// <summary>Opens a handle as <paramref name="options"/> say. No I/O happens until the first call.</summary>
    /// <exception cref="ArgumentException">The options are incomplete or the connection string is malformed.</exception>
    public static PipelineDb Open(PipelineDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PipelineDb(options);
    }

    /// <summary>
    /// Opens <paramref name="target"/>: a SQLite path (default <c>pipeline.db</c>) or an Npgsql
    /// connection string / <c>postgresql://</c> URI.
    /// </summary>
    public static PipelineDb Open(string target = "pipeline.db", TimeProvider? timeProvider = null)
    {
        var options = new PipelineDbOptions().UseTarget(target);
        if (timeProvider is not null)
        {
            options.TimeProvider = timeProvider;
        }
        return new PipelineDb(options);
    }

    /// <summary>
    /// Creates the schema or brings it up to date by applying this version's migrations. Safe to
    /// call on every start and from several processes at once; on an up-to-date database it
    /// changes nothing and costs one read of the migrations history.
    /// </summary>
    /// <remarks>
    /// Only when a migration is missing is EF Core's migrator built. On PostgreSQL the migrating
    /// call holds an advisory lock (key <c>4712847060138748272</c>, "AgentPip", transaction-scoped
    /// on its own connection) and reads the history again under it, so processes starting at once
    /// migrate one after another and the later ones find nothing left to do. On SQLite EF Core's
    /// own lock (<c>__EFMigrationsLock</c>) and the file's write lock serialize them.
    /// </remarks>
    /// <exception cref="PipelineDatabaseException">The database cannot be reached or written.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (!MigrationHistory.AnyMissing(Provider, await MigrationHistory.AppliedAsync(this, cancellationToken).ConfigureAwait(false)))
        {
            return;
        }
        try
        {
            await Dialect.MigrateExclusivelyAsync(
                async ct => MigrationHistory.AnyMissing(Provider, await MigrationHistory.AppliedAsync(this, ct).ConfigureAwait(false)),
                MigrateWithEfAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Dialect.ProviderError(e) is { } provider)
        {
            throw Dialect.Translate(provider);
        }
    }

    private async Task MigrateWithEfAsync(CancellationToken cancellationToken)
    {
        var context = CreateDbContext();
        await using (context.ConfigureAwait(false))
        {
            // A migration rewrites whole tables (a column type change on a large database takes
            // minutes): no command timeout; cancellationToken still ends it, rolled back.
            context.Database.SetCommandTimeout(0);
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            if (pending.Count > 0)
            {
                _logger?.Migrated(pending.Count, pending[^1]);
            }
        }
    }

    /// <summary>The migrations this version of the library knows, oldest first.</summary>
    public IReadOnlyList<string> GetKnownMigrations() => [.. MigrationHistory.Known(Provider)];

    /// <summary>The migrations applied to the database, oldest first (empty for a new database).</summary>
    /// <exception cref="PipelineDatabaseException">The database cannot be reached or is not a pipeline database.</exception>
    public Task<IReadOnlyList<string>> GetAppliedMigrationsAsync(CancellationToken cancellationToken = default) =>
        MigrationHistory.AppliedAsync(this, cancellationToken);

    internal PipelineDbContext CreateDbContext() => Dialect.CreateDbContext();

    /// <summary>Now, from the injected clock, in UTC, to the microsecond.</summary>
    internal DateTimeOffset Now() => DbTime.Truncate(_time.GetUtcNow());

    /// <summary>A time-ordered UUID (version 7) from the injected clock.</summary>
    internal Guid NewId() => Guid.CreateVersion7(_time.GetUtcNow());

    /// <summary>
    /// The one write executor: opens sessions and runs every call's work with the one retry loop,
    /// inserts rows (through group commit where the table has it). See <see cref="WriteExecutor"/>.
    /// </summary>
    internal WriteExecutor Writes { get; }

    /// <summary>Runs a read on a session of its own, with the executor's retry loop.</summary>
    internal ValueTask<T> RunAsync<T>(bool write, Func<Session, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        Writes.RunAsync(write, body, cancellationToken);

    /// <summary>
    /// Closes the pool. Calls in flight finish, except waits for a CTA
    /// (<see cref="PipelinePersistence.WaitForCtaResolutionAsync"/>), which end with
    /// <see cref="ObjectDisposedException"/>; later calls throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <remarks>Every call, concurrent or repeated, returns when the first has closed everything.</remarks>
    public ValueTask DisposeAsync()
    {
        var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _closing, closing.Task, null) is { } first)
        {
            return new ValueTask(first);
        }
        _ = CloseAsync(closing);
        return new ValueTask(closing.Task);
    }

    private async Task CloseAsync(TaskCompletionSource closing)
    {
        try
        {
            // Waits for CTAs end (ObjectDisposedException) and their listener's connection closes.
            await CtaWatch.CloseAsync().ConfigureAwait(false);
            // Rows already queued for a group commit are written first: their calls are in flight.
            await Writes.CloseAsync().ConfigureAwait(false);
            await Dialect.DisposeAsync().ConfigureAwait(false);
            closing.SetResult();
        }
        catch (Exception e)
        {
            closing.SetException(e);
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
