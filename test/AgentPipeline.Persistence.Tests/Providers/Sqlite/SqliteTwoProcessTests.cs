using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.Tests.Robustness.ConcurrencyTests<AgentPipeline.Persistence.Tests.Infrastructure.SqliteFixture>;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>Two processes, 8 writers each, on one SQLite file: nothing lost, nothing failed (writers never hit SQLITE_BUSY).</summary>
public sealed class SqliteTwoProcessTests(SqliteFixture f) : ContractTests<SqliteFixture>(f)
{
    [Fact]
    public async Task Two_processes_with_eight_writers_each_on_one_file_lose_nothing_and_fail_nothing()
    {
        const int seed = 2202;
        using var first = WorkerProcess.Start(Fixture.Target, seed, 0, Writers / 2, WritesPerWriter);
        using var second = WorkerProcess.Start(Fixture.Target, seed, Writers / 2, Writers / 2, WritesPerWriter);

        var results = await Task.WhenAll(first.WaitAsync(), second.WaitAsync());

        foreach (var (exitCode, stdout, stderr) in results)
        {
            Assert.True(exitCode == 0, stderr);
            Assert.Equal(Writers / 2 * WritesPerWriter, stdout.Split('\n').Count(l => l.StartsWith("ack ", StringComparison.Ordinal)));
        }
        await AssertWorkloadStoredAsync(Fixture, seed, Writers, WritesPerWriter);
    }
}
