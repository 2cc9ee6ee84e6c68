using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>Group commit with a PostgreSQL pool of one connection: the flusher gives its connection back.</summary>
public sealed class PostgreSqlGroupCommitPoolTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
    [Fact]
    public async Task With_a_pool_of_one_connection_the_flusher_gives_its_connection_back_for_rows_retried_alone_and_after_its_batches()
    {
        // The flusher keeps its connection from one batch to the next; with one connection in the
        // pool, anything else that needs one (a row of the batch retried on its own, the next lone
        // call) would wait for the pool's timeout if it kept it too long.
        await using var db = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(Fixture.Target + ";Maximum Pool Size=1;Timeout=5"));
        var (run, _, step) = await Seed.StepAsync(db);
        async Task<List<Task<Guid>>> HeldBatchAsync(IEnumerable<Func<Task<Guid>>> calls)
        {
            var list = calls.ToList();
            var allQueued = GroupCommitTests<PostgreSqlFixture>.WhenQueued(db, list.Count);
            var hold = new SemaphoreSlim(0);
            GroupCommitProbe.Of(db).Hold = hold;
            var tasks = list.Select(Task.Run).ToList();
            await allQueued.WaitAsync(TimeSpan.FromSeconds(60));
            GroupCommitProbe.Of(db).Hold = null;
            hold.Release();
            return tasks;
        }
        Func<Task<Guid>> Good(string name) => () => CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = name, ToolName = "read" });

        // A batch with a row whose parent is missing: that row is retried alone, on a connection of its own.
        var missingStep = Guid.NewGuid();
        var first = await HeldBatchAsync([.. Enumerable.Range(0, 5).Select(i => Good($"pool1_{i}")),
            () => CreateToolCallAsync(db, new NewToolCall { StepId = missingStep, ToolCallId = "pool1_orphan", ToolName = "read" })]);
        await Task.WhenAll(first.Take(5));
        Assert.Equal("agent_steps", (await Assert.ThrowsAsync<RecordNotFoundException>(() => first[5])).Table);
        // A batch of good rows only, then calls alone: they get the one connection.
        await Task.WhenAll(await HeldBatchAsync(Enumerable.Range(0, 4).Select(i => Good($"pool1_second_{i}"))));
        Assert.Empty(await GetMemoryRecordsAsync(db, run));
        Assert.NotEqual(Guid.Empty, await Good("pool1_after")());
        Assert.Equal(10, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
    }

    [Fact]
    public async Task With_a_pool_of_one_connection_a_reader_gets_it_while_writers_keep_the_flusher_busy()
    {
        // Writers that never stop keep the queue from emptying; the flusher must still give its
        // connection back now and then, or the reader waits out the pool's timeout and fails.
        await using var db = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(Fixture.Target + ";Maximum Pool Size=1;Timeout=5"));
        var (run, _, step) = await Seed.StepAsync(db);
        var stop = new CancellationTokenSource();
        var batching = GroupCommitTests<PostgreSqlFixture>.WhenQueued(db, 200);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = $"busy_{w}_{n++}", ToolName = "read" });
            }
            return n;
        })).ToList();
        await batching.WaitAsync(TimeSpan.FromSeconds(60));

        var read = await GetMemoryRecordsAsync(db, run);
        var writersStillGoing = writers.All(t => !t.IsCompleted);
        stop.Cancel();
        var written = (await Task.WhenAll(writers)).Sum();

        Assert.Empty(read);
        Assert.True(writersStillGoing, "the writers stopped (or failed) before the read finished");
        Assert.Equal(written, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
    }
}
