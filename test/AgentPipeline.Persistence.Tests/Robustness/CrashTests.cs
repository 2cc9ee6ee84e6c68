using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using AgentPipeline.Persistence.TestWorker;

namespace AgentPipeline.Persistence.Tests.Robustness;

/// <summary>
/// A writer process is killed with SIGKILL at random points, again and again. After each kill
/// every acknowledged write is there, no row is half-written, the database is sound, and
/// replaying the same calls from the start carries the run to completion.
/// </summary>
public abstract class CrashTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    public const int Kills = 20;
    private const int Writes = 600;

    [Fact]
    public async Task Every_acknowledged_write_survives_twenty_sigkills_and_a_replay_finishes_the_run()
    {
        var seed = 3300 + (int)Fixture.Provider;
        var random = new Random(seed);
        var acknowledged = new HashSet<(int Writer, int Index)>();
        var kills = 0;
        while (kills < Kills)
        {
            using var worker = WorkerProcess.Start(Fixture.Target, seed, 0, 2, Writes);
            var killAfter = random.Next(1, 40);
            var seen = 0;
            string? line;
            while ((line = await worker.ReadLineAsync()) is not null && line != "done")
            {
                var parts = line.Split(' ');
                acknowledged.Add((int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
                // Count only writes this process did for the first time, so each life gets further.
                if (++seen >= killAfter + acknowledged.Count / 2)
                {
                    break;
                }
            }
            Assert.True(line is not null && line != "done", "the worker finished before it could be killed; raise Writes");
            worker.Kill();
            kills++;
            await AssertSoundAsync(seed, acknowledged);
        }

        using (var last = WorkerProcess.Start(Fixture.Target, seed, 0, 2, Writes))
        {
            var (exitCode, stdout, stderr) = await last.WaitAsync();
            Assert.True(exitCode == 0, stderr);
            Assert.EndsWith("done", stdout.TrimEnd(), StringComparison.Ordinal);
        }
        await AssertSoundAsync(seed, acknowledged);
        var load = new Workload(seed, 0, Writes);
        Assert.Equal(2 * load.Steps, await Fixture.CountAsync("agent_steps", "run_id = @r", ("r", Workload.RunId(seed))));
        Assert.Equal(2 * load.ToolCalls, await Fixture.CountAsync("tool_calls", "run_id = @r", ("r", Workload.RunId(seed))));
        Assert.Equal(2 * load.Memories, await Fixture.CountAsync("memory_records", "run_id = @r", ("r", Workload.RunId(seed))));
        Assert.Equal(Kills, kills);
    }

    private async Task AssertSoundAsync(int seed, HashSet<(int Writer, int Index)> acknowledged)
    {
        foreach (var (writer, index) in acknowledged)
        {
            var load = new Workload(seed, writer, Writes);
            switch (index % 4)
            {
                case 0:
                    var step = await Fixture.RowAsync("agent_steps", load.StepId(index));
                    Assert.Equal($"step {index} of writer {writer}", step["text"]);
                    Assert.Equal(1000L + index, StoreFixture.AsLong(step["input_tokens"]));
                    break;
                case 1:
                    var call = await Fixture.RowAsync("tool_calls", load.ToolCallId(index));
                    Assert.Equal($"call_{writer}_{index}", call["tool_call_id"]);
                    Assert.NotNull(call["output"]);
                    break;
                case 2:
                    Assert.Equal($"writer {writer} learned fact {index}", (await Fixture.RowAsync("memory_records", load.MemoryId(index)))["content"]);
                    break;
            }
        }
        // No half-written row: every stored step and tool call carries all the data its one write gave it.
        var run = Workload.RunId(seed);
        Assert.Equal(0, await Fixture.CountAsync("agent_steps", "run_id = @r AND (text IS NULL OR input_tokens IS NULL OR content IS NULL OR total_tokens IS NULL)", ("r", run)));
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "run_id = @r AND (input IS NULL OR output IS NULL OR output_type IS NULL)", ("r", run)));
        if (Fixture.Provider == PipelineProvider.Sqlite)
        {
            Assert.Equal("ok", (await Fixture.QueryAsync("PRAGMA integrity_check"))[0]["integrity_check"]);
            Assert.Empty(await Fixture.QueryAsync("PRAGMA foreign_key_check"));
        }
    }
}

public sealed class SqliteCrashTests(SqliteFixture f) : CrashTests<SqliteFixture>(f);
public sealed class PostgreSqlCrashTests(PostgreSqlFixture f) : CrashTests<PostgreSqlFixture>(f);
