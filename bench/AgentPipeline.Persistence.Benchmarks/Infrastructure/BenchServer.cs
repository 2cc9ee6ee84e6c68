using AgentPipeline.Persistence.Tests.Infrastructure;
using Npgsql;

namespace AgentPipeline.Persistence.Benchmarks.Infrastructure;

/// <summary>
/// The PostgreSQL server the benchmarks run on, found once per process:
/// <list type="number">
/// <item><c>AGENTPIPE_BENCH_PG</c>: an existing server (a superuser connection string; every benchmark creates and drops its own database);</item>
/// <item><c>AGENTPIPE_BENCH_PG_FSYNC=off</c>: the tests' own throwaway cluster (<see cref="PostgresCluster"/>, fsync off), to see the CPU cost without the disk flush;</item>
/// <item>otherwise a throwaway cluster with durability on (<see cref="PostgresCluster.StartNew"/> with durable: true).</item>
/// </list>
/// A BenchmarkDotNet run starts the server in its host process and exports it through
/// <c>AGENTPIPE_BENCH_PG</c>, so the per-benchmark processes share one server.
/// </summary>
internal static class BenchServer
{
    public const string ServerVariable = "AGENTPIPE_BENCH_PG";
    public const string FsyncVariable = "AGENTPIPE_BENCH_PG_FSYNC";

    /// <summary><c>durable</c>: per-call benchmarks wait for the WAL flush too (see <see cref="PerCallDurable"/>).</summary>
    public const string PerCallVariable = "AGENTPIPE_BENCH_PG_PER_CALL";

    private static readonly Lazy<string> Admin = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string AdminConnectionString => Admin.Value;

    /// <summary>
    /// Whether the per-call comparisons on PostgreSQL wait for each commit's WAL flush. By default
    /// they don't (<c>synchronous_commit = off</c> on their database only): on this kind of VM a
    /// flush takes 0.3–3 ms and varies by the second, so it would drown the tens of microseconds a
    /// per-call comparison is about, on every side alike. The concurrent and whole-run benchmarks,
    /// where the flush is the point, always run durable.
    /// </summary>
    public static bool PerCallDurable =>
        string.Equals(Environment.GetEnvironmentVariable(PerCallVariable), "durable", StringComparison.OrdinalIgnoreCase);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } existing)
        {
            return existing;
        }
        var cluster = string.Equals(Environment.GetEnvironmentVariable(FsyncVariable), "off", StringComparison.OrdinalIgnoreCase)
            ? PostgresCluster.Shared
            : PostgresCluster.StartNew(durable: true);
        PostmasterPid = cluster.PostmasterPid;
        return cluster.AdminConnectionString;
    }

    /// <summary>The postmaster's pid when this process started the server (for measuring the server's CPU time).</summary>
    public static int? PostmasterPid { get; private set; }

    /// <summary>Starts (or finds) the server in this process and hands it to the processes it starts.</summary>
    public static void ExportToChildProcesses() =>
        Environment.SetEnvironmentVariable(ServerVariable, AdminConnectionString);

    /// <summary>The settings that decide what a commit costs, for the report.</summary>
    public static async Task<string> DescribeAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_sync_method')",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"PostgreSQL {reader.GetString(0)}, fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, wal_sync_method={reader.GetString(3)}";
    }

    /// <param name="durableCommits">False: commits in this database do not wait for the WAL flush (<c>synchronous_commit = off</c>).</param>
    public static async Task<string> CreateDatabaseAsync(bool durableCommits)
    {
        var name = "bench_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        // Identifiers cannot be parameters; the name is made here, never taken from input.
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        if (!durableCommits)
        {
            await using var setting = new NpgsqlCommand($"ALTER DATABASE \"{name}\" SET synchronous_commit = off", connection);
            await setting.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
