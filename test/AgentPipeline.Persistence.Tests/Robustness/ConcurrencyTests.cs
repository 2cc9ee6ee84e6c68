using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using AgentPipeline.Persistence.TestWorker;
using Npgsql;

namespace AgentPipeline.Persistence.Tests.Robustness;

/// <summary>
/// Many writers at once: 16 sub-agents on one handle, two workers replaying the same run (two
/// processes on one SQLite file: <c>SqliteTwoProcessTests</c>). Nothing fails, nothing is lost or duplicated, the database stays sound.
/// </summary>
public abstract class ConcurrencyTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    public const int Writers = 16;
    public const int WritesPerWriter = 1000;

    /// <summary>The handle the writers share; PostgreSQL gets a pool of 5 for 16 writers.</summary>
    protected abstract PipelineDb OpenShared(string target);

    protected Task AssertWorkloadStoredAsync(int seed, int writers, int writes) => AssertWorkloadStoredAsync(Fixture, seed, writers, writes);

    /// <summary>Every row of <paramref name="writers"/> writers of <see cref="Workload"/> <paramref name="seed"/> is stored once, and the database is sound.</summary>
    internal static async Task AssertWorkloadStoredAsync(StoreFixture fixture, int seed, int writers, int writes)
    {
        var run = Workload.RunId(seed);
        var load = new Workload(seed, 0, writes);
        Assert.Equal(writers * load.Steps, await fixture.CountAsync("agent_steps", "run_id = @r", ("r", run)));
        Assert.Equal(writers * load.ToolCalls, await fixture.CountAsync("tool_calls", "run_id = @r", ("r", run)));
        Assert.Equal(writers * load.Memories, await fixture.CountAsync("memory_records", "run_id = @r", ("r", run)));
        Assert.Equal(writers, await fixture.CountAsync("agent_invocations", "run_id = @r", ("r", run)));
        Assert.Equal(1, await fixture.CountAsync("phase_results", "run_id = @r", ("r", run)));
        if (fixture.Provider == PipelineProvider.Sqlite)
        {
            Assert.Equal("ok", (await fixture.QueryAsync("PRAGMA integrity_check"))[0]["integrity_check"]);
            Assert.Empty(await fixture.QueryAsync("PRAGMA foreign_key_check"));
        }
    }

    [Fact]
    public async Task Sixteen_writers_on_one_handle_lose_nothing_and_fail_nothing()
    {
        const int seed = 1601;
        await using var db = OpenShared(Fixture.Target);
        await Workload.SetUpRunAsync(db, seed);
        var loads = Enumerable.Range(0, Writers).Select(w => new Workload(seed, w, WritesPerWriter)).ToList();
        foreach (var load in loads)
        {
            await load.SetUpWriterAsync(db);
        }

        await Task.WhenAll(loads.Select(load => Task.Run(() => load.RunAsync(db))));

        await AssertWorkloadStoredAsync(seed, Writers, WritesPerWriter);
        await AssertNoConnectionLeftBusyAsync(db);
    }

    protected virtual Task AssertNoConnectionLeftBusyAsync(PipelineDb db) => Task.CompletedTask;

    [Fact]
    public async Task Two_workers_replaying_the_same_run_at_once_leave_exactly_what_one_clean_execution_leaves()
    {
        const int seed = 77;
        const int writers = 4;
        const int writes = 200;
        var clock = new ManualClock();
        var clean = await Fixture.CreateDatabaseAsync();
        var raced = await Fixture.CreateDatabaseAsync();
        foreach (var target in new[] { clean, raced })
        {
            await using var migrate = PipelineDb.Open(target);
            await migrate.MigrateAsync();
        }

        await using (var once = PipelineDb.Open(clean, clock))
        {
            await RunAllAsync(once, seed, writers, writes);
        }
        await using (var first = PipelineDb.Open(raced, clock))
        await using (var second = PipelineDb.Open(raced, clock))
        {
            await Task.WhenAll(Task.Run(() => RunAllAsync(first, seed, writers, writes)), Task.Run(() => RunAllAsync(second, seed, writers, writes)));
        }

        var expected = await DumpAsync(clean);
        Assert.Equal(expected.Count, (await DumpAsync(raced)).Count);
        Assert.Equal(expected, await DumpAsync(raced));
        Assert.True(expected.Count > writers * writes / 2);
    }

    private static async Task RunAllAsync(PipelineDb db, int seed, int writers, int writes)
    {
        await Workload.SetUpRunAsync(db, seed);
        var loads = Enumerable.Range(0, writers).Select(w => new Workload(seed, w, writes)).ToList();
        foreach (var load in loads)
        {
            await load.SetUpWriterAsync(db);
        }
        // The phase transitions race by design (last writer wins); every other row must match.
        await Task.WhenAll(loads.Select(load => Task.Run(async () =>
        {
            for (var i = 0; i < writes; i++)
            {
                if (i % 4 != 3)
                {
                    await load.WriteAsync(db, i);
                }
            }
        })));
    }

    /// <summary>Every row of every table but the run's current phase, as text, sorted.</summary>
    private async Task<List<string>> DumpAsync(string target)
    {
        var lines = new List<string>();
        await using var connection = Fixture.OpenRawConnection(target);
        foreach (var table in new[] { "feature_runs", "phase_results", "agent_invocations", "agent_steps", "tool_calls", "memory_records" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {Fixture.T(table)}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var cells = Enumerable.Range(0, reader.FieldCount)
                    .Where(i => reader.GetName(i) is not ("current_phase" or "seq"))
                    .Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))}");
                lines.Add(table + ": " + string.Join(" | ", cells));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

public sealed class SqliteConcurrencyTests(SqliteFixture f) : ConcurrencyTests<SqliteFixture>(f)
{
    protected override PipelineDb OpenShared(string target) => PipelineDb.Open(target);
}

public sealed class PostgreSqlConcurrencyTests(PostgreSqlFixture f) : ConcurrencyTests<PostgreSqlFixture>(f)
{
    protected override PipelineDb OpenShared(string target) =>
        PipelineDb.Open(new NpgsqlConnectionStringBuilder(target) { MaxPoolSize = 5, ApplicationName = "agentpipe-concurrency" }.ConnectionString);

    protected override async Task AssertNoConnectionLeftBusyAsync(PipelineDb db)
    {
        var sessions = await Fixture.QueryAsync(
            "SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE state <> 'idle') AS busy FROM pg_stat_activity WHERE application_name = 'agentpipe-concurrency'");
        Assert.Equal(0L, Convert.ToInt64(sessions[0]["busy"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(Convert.ToInt64(sessions[0]["total"], System.Globalization.CultureInfo.InvariantCulture), 1L, 5L);
        await db.DisposeAsync();
    }
}
