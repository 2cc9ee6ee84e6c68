using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// Group commit keeps every integrity rule: a batch's calls complete only after the commit that
/// holds their rows, and a row that fails (conflict, missing parent, a database error) fails
/// only its own call.
/// </summary>
public abstract class GroupCommitTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private async Task<List<Task<Guid>>> HeldBatchAsync(IReadOnlyList<Func<Task<Guid>>> calls, SemaphoreSlim hold)
    {
        var queued = 0;
        var allQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Db.GroupCommit.Queued = () =>
        {
            if (Interlocked.Increment(ref queued) == calls.Count)
            {
                allQueued.SetResult();
            }
        };
        Db.GroupCommit.Hold = hold;
        var tasks = calls.Select(call => Task.Run(call)).ToList();
        await allQueued.Task;
        return tasks;
    }

    [Fact]
    public async Task A_batch_commits_together_and_each_failing_row_fails_only_its_own_call()
    {
        var (_, invocation, step) = await Seed.StepAsync(Db);
        var existing = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "existing", ToolName = "read" });
        var good = Enumerable.Range(0, 10).Select(i => new NewToolCall { Id = Guid.NewGuid(), StepId = step, ToolCallId = $"good_{i}", ToolName = "grep" }).ToList();
        var missingStep = Guid.NewGuid();
        var hold = new SemaphoreSlim(0);
        var visibleAtCompletion = new bool[good.Count];

        var tasks = await HeldBatchAsync(
        [
            .. good.Select(g => (Func<Task<Guid>>)(() => CreateToolCallAsync(Db, g))),
            () => CreateToolCallAsync(Db, new NewToolCall { Id = existing, StepId = step, ToolCallId = "existing", ToolName = "bash" }),
            () => CreateToolCallAsync(Db, new NewToolCall { StepId = missingStep, ToolCallId = "orphan", ToolName = "read" }),
            () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "existing", ToolName = "read" }),
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1 }),
        ], hold);
        // Durability ordering: when a call returns, its row is already committed and visible to others.
        var checks = tasks.Take(good.Count).Select((t, i) => t.ContinueWith(async done =>
            visibleAtCompletion[i] = done.IsCompletedSuccessfully && await Fixture.CountAsync("tool_calls", "id = @id", ("id", good[i].Id)) == 1).Unwrap()).ToList();

        Assert.All(tasks, t => Assert.False(t.IsCompleted));
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "tool_call_id LIKE 'good_%' AND step_id = @s", ("s", step)));
        hold.Release();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { })));
        await Task.WhenAll(checks);

        Assert.Equal(tasks.Count, Db.GroupCommit.LastBatchSize);
        Assert.All(visibleAtCompletion, Assert.True);
        Assert.Equal(good.Select(g => g.Id!.Value), await Task.WhenAll(tasks.Take(good.Count)));
        var conflict = Assert.IsType<IdempotencyConflictException>(tasks[10].Exception!.InnerException);
        Assert.Equal(["tool_name"], conflict.DifferingColumns);
        Assert.Equal(("agent_steps", missingStep.ToString()), (Assert.IsType<RecordNotFoundException>(tasks[11].Exception!.InnerException).Table, missingStep.ToString()));
        Assert.Equal(existing, await tasks[12]);
        Assert.Equal(2, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
        Assert.Equal(11, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
        Assert.Equal("read", (await Fixture.RowAsync("tool_calls", existing))["tool_name"]);
    }

    [Fact]
    public async Task A_row_the_database_rejects_fails_alone_and_the_rest_of_its_batch_is_stored()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        await Fixture.ExecuteAsync(Fixture.Provider == PipelineProvider.Sqlite
            ? "CREATE TRIGGER IF NOT EXISTS explode BEFORE INSERT ON tool_calls WHEN NEW.tool_name = 'explode' BEGIN SELECT RAISE(ABORT, 'boom'); END"
            : """
              CREATE OR REPLACE FUNCTION agent.explode() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN IF NEW.tool_name = 'explode' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
              DROP TRIGGER IF EXISTS explode ON agent.tool_calls;
              CREATE TRIGGER explode BEFORE INSERT ON agent.tool_calls FOR EACH ROW EXECUTE FUNCTION agent.explode();
              """);
        var names = new[] { "read", "grep", "explode", "glob", "bash" };
        var hold = new SemaphoreSlim(0);

        var tasks = await HeldBatchAsync([.. names.Select((n, i) => (Func<Task<Guid>>)(() =>
            CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = $"c{i}", ToolName = n })))], hold);
        hold.Release();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { })));

        Assert.IsType<PipelineDatabaseException>(tasks[2].Exception!.InnerException);
        Assert.All(tasks.Where((_, i) => i != 2), t => Assert.True(t.IsCompletedSuccessfully));
        var stored = await Fixture.QueryAsync($"SELECT tool_name FROM {Fixture.T("tool_calls")} WHERE step_id = @s ORDER BY tool_call_id", ("s", step));
        Assert.Equal(["read", "grep", "glob", "bash"], stored.Select(r => (string)r["tool_name"]!));
    }

    [Fact]
    public async Task A_lone_call_goes_straight_to_the_database_and_overlapping_calls_all_land()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var queued = 0;
        Db.GroupCommit.Queued = () => Interlocked.Increment(ref queued);
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "alone" });
        Assert.Equal(0, queued);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Decision, Content = $"together {i}" }))));

        Assert.Equal(65, (await GetMemoryRecordsAsync(Db, run)).Count);
    }
}

public sealed class SqliteGroupCommitTests(SqliteFixture f) : GroupCommitTests<SqliteFixture>(f);
public sealed class PostgreSqlGroupCommitTests(PostgreSqlFixture f) : GroupCommitTests<PostgreSqlFixture>(f);
