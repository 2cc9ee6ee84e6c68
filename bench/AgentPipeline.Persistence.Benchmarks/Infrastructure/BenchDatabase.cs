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
        var options = provider == PipelineProvider.Sqlite
            ? new PipelineDbOptions().UseSqlite(target)
            : new PipelineDbOptions().UsePostgreSql(target);
        if (MinWriters is { } min)
        {
            options.GroupCommitMinWriters = min;
        }
        Db = PipelineDb.Open(options);
    }

    /// <summary><c>--min-writers N</c>: the library's <see cref="PipelineDbOptions.GroupCommitMinWriters"/> for ours (default: the library's).</summary>
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
        else
        {
            await BenchServer.DropDatabaseAsync(Target);
        }
    }
}
