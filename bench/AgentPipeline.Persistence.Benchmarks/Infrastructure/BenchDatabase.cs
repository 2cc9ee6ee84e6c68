namespace AgentPipeline.Persistence.Benchmarks.Infrastructure;

/// <summary>
/// A fresh, migrated database for one benchmark: a SQLite file in a temp folder, or a new database
/// on <see cref="BenchServer"/>. Every side of a comparison (ours, baseline, EF Core) works in it.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _folder;

    private BenchDatabase(PipelineProvider provider, string target, string? folder)
    {
        Provider = provider;
        Target = target;
        _folder = folder;
        var options = Options();
        if (MinWriters is { } min)
        {
            options.GroupCommitMinWriters = min;
        }
        Db = PipelineDb.Open(options);
        if (Db.Dialect is AgentPipeline.Persistence.Internal.Sqlite.SqliteDialect sqlite)
        {
            _checkpoints = new CheckpointWatch();
            sqlite.CheckpointObserver = _checkpoints;
        }
    }

    private readonly CheckpointWatch? _checkpoints;

    private PipelineDbOptions Options() => Provider == PipelineProvider.Sqlite
        ? new PipelineDbOptions().UseSqlite(Target)
        : new PipelineDbOptions().UsePostgreSql(Target);

    /// <summary>
    /// A second handle on the same database, with connections of its own (on PostgreSQL, new server
    /// processes): a reader that did not do the writes. The caller disposes it.
    /// </summary>
    public PipelineDb OpenAnotherHandle() => PipelineDb.Open(Options());

    /// <summary>The library's most recent background checkpoint, which a timed batch waits out before it starts.</summary>
    private sealed class CheckpointWatch : AgentPipeline.Persistence.Internal.Sqlite.ICheckpointObserver
    {
        private Task? _last;

        public Task? Last => Volatile.Read(ref _last);

        public void Started(Task completion) => Volatile.Write(ref _last, completion);
    }

    /// <summary><c>--min-writers N</c>: the library's <see cref="PipelineDbOptions.GroupCommitMinWriters"/> for ours (default: the library's).</summary>
    /// <summary><c>AGENTPIPE_BENCH_KEEP_DB=1</c> with an existing server (<c>AGENTPIPE_BENCH_PG</c>): PostgreSQL databases are kept (their names printed), to look into them afterwards.</summary>
    public const string KeepVariable = "AGENTPIPE_BENCH_KEEP_DB";

    public const string MinWritersVariable = "AGENTPIPE_BENCH_MIN_WRITERS";

    public static int? MinWriters =>
        int.TryParse(Environment.GetEnvironmentVariable(MinWritersVariable), out var min) ? min : null;

    public PipelineProvider Provider { get; }

    /// <summary>The SQLite file's path, or the Npgsql connection string.</summary>
    public string Target { get; }

    /// <summary>The library's handle, shared by all "ours" calls as a real application shares it.</summary>
    public PipelineDb Db { get; }

    /// <param name="provider">SQLite or PostgreSQL.</param>
    /// <param name="durableCommits">PostgreSQL only: false sets <c>synchronous_commit = off</c> on this database (<see cref="BenchServer.PerCallDurable"/>).</param>
    public static async Task<BenchDatabase> CreateAsync(PipelineProvider provider, bool durableCommits = true)
    {
        BenchDatabase database;
        if (provider == PipelineProvider.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("agentpipe-bench-sqlite-").FullName;
            database = new BenchDatabase(provider, Path.Combine(folder, "bench.db"), folder);
        }
        else
        {
            database = new BenchDatabase(provider, await BenchServer.CreateDatabaseAsync(durableCommits), null);
        }
        await database.Db.MigrateAsync();
        return database;
    }

    /// <summary>
    /// SQLite, before a timed batch (untimed): the WAL emptied into the database file, after the
    /// library's background checkpoint (if one runs) has finished, so that every side starts from
    /// the same state and none copies pages another side wrote. Nothing on PostgreSQL.
    /// </summary>
    public async Task SettleWalAsync()
    {
        if (Provider != PipelineProvider.Sqlite)
        {
            return;
        }
        await OursCheckpointAsync();
        await CheckpointAsync("TRUNCATE");
    }

    /// <summary>
    /// SQLite, at the end of a timed batch (timed): the side's own pages copied into the database
    /// file — the library's background checkpoint awaited, then what is left checkpointed — so that
    /// every side pays for putting its writes in the file, whether or not its batch crossed SQLite's
    /// automatic checkpoint (1,000 pages) or the library's (256 write transactions).
    /// </summary>
    public async Task CheckpointOwnPagesAsync()
    {
        if (Provider != PipelineProvider.Sqlite)
        {
            return;
        }
        await OursCheckpointAsync();
        await CheckpointAsync("PASSIVE");
    }

    private async Task OursCheckpointAsync()
    {
        if (_checkpoints?.Last is { } pending)
        {
            await pending;
        }
    }

    private async Task CheckpointAsync(string mode)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Target};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // mode is one of two constants above, never a value from outside.
        command.CommandText = $"PRAGMA busy_timeout = 10000; PRAGMA wal_checkpoint({mode});";
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        else if (Environment.GetEnvironmentVariable(KeepVariable) == "1")
        {
            Console.Error.WriteLine($"kept PostgreSQL database {new Npgsql.NpgsqlConnectionStringBuilder(Target).Database}");
        }
        else
        {
            await BenchServer.DropDatabaseAsync(Target);
        }
    }
}
