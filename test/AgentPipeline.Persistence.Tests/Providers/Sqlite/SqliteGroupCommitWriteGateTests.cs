using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>Group commit against SQLite's write gate: the flusher waits for it on its own thread.</summary>
public sealed class SqliteGroupCommitWriteGateTests(SqliteFixture f) : ContractTests<SqliteFixture>(f)
{
    [Fact]
    public async Task A_batch_that_waits_for_the_write_lock_is_still_written_on_the_flusher_thread()
    {
        // While another writer holds SQLite's write gate, the flusher waits for it on its own thread
        // and writes the batch there afterwards: never in a continuation left to the thread pool.
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseTarget(Fixture.Target));
        var (_, _, step) = await Seed.StepAsync(db);
        var hold = new SemaphoreSlim(0);
        var allQueued = GroupCommitTests<SqliteFixture>.WhenQueued(db, 3);
        string? committedOn = null;
        var taken = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        GroupCommitProbe.Of(db).Drained = rows =>
        {
            if (rows == 3)
            {
                taken.TrySetResult(Thread.CurrentThread);
            }
        };
        GroupCommitProbe.Of(db).BatchCommitted = () => committedOn = Thread.CurrentThread.Name;
        GroupCommitProbe.Of(db).Hold = hold;
        var calls = Enumerable.Range(0, 3)
            .Select(i => Task.Run(() => CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = $"gated_{i}", ToolName = "read" })))
            .ToList();
        await allQueued.WaitAsync(TimeSpan.FromSeconds(60));

        var writer = await db.Dialect.OpenAsync(write: true, CancellationToken.None); // holds the write gate
        try
        {
            GroupCommitProbe.Of(db).Hold = null;
            hold.Release();
            // The flusher has taken the rows and is blocked (on the gate): bounded polling of its state.
            var flusher = await taken.Task.WaitAsync(TimeSpan.FromSeconds(60)); // all three rows taken, in one batch
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((flusher.ThreadState & ThreadState.WaitSleepJoin) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the flusher never took the rows and waited");
                await Task.Delay(5);
            }
            Assert.All(calls, t => Assert.False(t.IsCompleted));
        }
        finally
        {
            await writer.DisposeAsync();
        }
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("AgentPipeline group commit", committedOn);
        Assert.Equal(3, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
    }
}
