using System.Diagnostics.Metrics;
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
    /// <summary>Completes once <paramref name="count"/> rows have been queued on <paramref name="db"/> (it takes the handle's Queued hook).</summary>
    internal static Task WhenQueued(PipelineDb db, int count)
    {
        var queued = 0;
        var allQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GroupCommitProbe.Of(db).Queued = () =>
        {
            if (Interlocked.Increment(ref queued) == count)
            {
                allQueued.SetResult();
            }
        };
        return allQueued.Task;
    }

    private async Task<List<Task<Guid>>> HeldBatchAsync(IReadOnlyList<Func<Task<Guid>>> calls, SemaphoreSlim hold)
    {
        var allQueued = WhenQueued(Db, calls.Count);
        GroupCommitProbe.Of(Db).Hold = hold;
        var tasks = calls.Select(call => Task.Run(call)).ToList();
        await allQueued.WaitAsync(TimeSpan.FromSeconds(60)); // a failure reports itself; closing the handle releases the hold
        return tasks;
    }

    [Fact]
    public async Task A_committed_batch_is_measured_on_the_public_meter()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var provider = Fixture.Provider == PipelineProvider.PostgreSql ? "postgresql" : "sqlite";
        var rowsPerBatch = new System.Collections.Concurrent.ConcurrentBag<int>();
        long batches = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AgentPipeline.Persistence")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "agentpipeline.persistence.group_commit.batch_rows" && HasTag(tags, provider))
            {
                rowsPerBatch.Add(value);
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "agentpipeline.persistence.group_commit.batches" && HasTag(tags, provider))
            {
                Interlocked.Add(ref batches, value);
            }
        });
        listener.Start();

        // 7 rows: a batch size no other test of this class makes.
        var hold = new SemaphoreSlim(0);
        var tasks = await HeldBatchAsync(
            [.. Enumerable.Range(0, 7).Select(i => (Func<Task<Guid>>)(() => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = $"metered_{i}", ToolName = "read" })))],
            hold);
        hold.Release();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(7, rowsPerBatch);
        Assert.True(Interlocked.Read(ref batches) >= 1);

        static bool HasTag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string provider)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "db.system.name" && (string?)tag.Value == provider)
                {
                    return true;
                }
            }
            return false;
        }
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

        Assert.Equal(tasks.Count, GroupCommitProbe.Of(Db).LastBatchSize);
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
    public async Task Parents_and_children_in_one_batch_are_all_stored()
    {
        var (_, phase, orchestrator) = await Seed.InvocationAsync(Db);
        var subAgent = Guid.NewGuid();
        var nested = Guid.NewGuid();
        var steps = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var hold = new SemaphoreSlim(0);

        // Children queued before their parents: the batch still stores every row, whatever order
        // the rows take inside it (a multi-row statement cannot see its own rows as parents).
        var tasks = await HeldBatchAsync(
        [
            .. steps.Select((s, i) => (Func<Task<Guid>>)(() =>
                CreateToolCallAsync(Db, new NewToolCall { StepId = s, ToolCallId = "call", ToolName = "read" }))),
            () => CreateAgentStepAsync(Db, new NewAgentStep { Id = Guid.NewGuid(), InvocationId = subAgent, StepNumber = 0 }),
            () => CreateAgentInvocationAsync(Db, new NewAgentInvocation { Id = nested, PhaseResultId = phase, ParentInvocationId = subAgent, AgentType = AgentType.Explorer }),
            () => CreateAgentInvocationAsync(Db, new NewAgentInvocation { Id = subAgent, PhaseResultId = phase, ParentInvocationId = orchestrator, AgentType = AgentType.Coder }),
            .. steps.Select((s, i) => (Func<Task<Guid>>)(() => CreateAgentStepAsync(Db, new NewAgentStep { Id = s, InvocationId = orchestrator, StepNumber = i }))),
        ], hold);
        hold.Release();
        await Task.WhenAll(tasks);

        Assert.Equal(steps.Count, await Fixture.CountAsync("tool_calls", "invocation_id = @i", ("i", orchestrator)));
        Assert.Equal(1, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", subAgent)));
        Assert.Equal(orchestrator.ToString(), Convert.ToString((await Fixture.RowAsync("agent_invocations", subAgent))["parent_invocation_id"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(subAgent.ToString(), Convert.ToString((await Fixture.RowAsync("agent_invocations", nested))["parent_invocation_id"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_same_id_twice_in_one_batch_is_one_row_and_a_changed_repeat_conflicts()
    {
        var (_, invocation, step) = await Seed.StepAsync(Db);
        var same = Guid.NewGuid();
        var changed = Guid.NewGuid();
        var naturalKey = new NewToolCall { StepId = step, ToolCallId = "by-key", ToolName = "grep" };
        var hold = new SemaphoreSlim(0);

        var tasks = await HeldBatchAsync(
        [
            () => CreateToolCallAsync(Db, new NewToolCall { Id = same, StepId = step, ToolCallId = "a", ToolName = "read" }),
            () => CreateToolCallAsync(Db, new NewToolCall { Id = same, StepId = step, ToolCallId = "a", ToolName = "read" }),
            () => CreateToolCallAsync(Db, new NewToolCall { Id = changed, StepId = step, ToolCallId = "b", ToolName = "read" }),
            () => CreateToolCallAsync(Db, new NewToolCall { Id = changed, StepId = step, ToolCallId = "b", ToolName = "bash" }),
            () => CreateToolCallAsync(Db, naturalKey),
            () => CreateToolCallAsync(Db, naturalKey),
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 7 }),
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 7 }),
        ], hold);
        hold.Release();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { })));

        Assert.Equal(same, await tasks[0]);
        Assert.Equal(same, await tasks[1]);
        // One of the two differing calls wins; the other is told what differs.
        var winner = tasks[2].IsCompletedSuccessfully ? 2 : 3;
        Assert.Equal(changed, await tasks[winner]);
        var conflict = Assert.IsType<IdempotencyConflictException>(tasks[5 - winner].Exception!.InnerException);
        Assert.Equal(["tool_name"], conflict.DifferingColumns);
        Assert.Equal(winner == 2 ? "read" : "bash", (await Fixture.RowAsync("tool_calls", changed))["tool_name"]);
        Assert.Equal(await tasks[4], await tasks[5]);
        Assert.Equal(await tasks[6], await tasks[7]);
        Assert.Equal(3, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
        Assert.Equal(1, await Fixture.CountAsync("agent_steps", "invocation_id = @i AND step_number = 7", ("i", invocation)));
    }

    [Fact]
    public async Task A_value_over_the_size_cap_fails_before_any_connection_is_taken()
    {
        // A handle whose database cannot be reached: the cap must fail the call first, by name.
        var unreachable = Fixture.Provider == PipelineProvider.Sqlite
            ? new PipelineDbOptions { MaxValueBytes = 16 }.UseSqlite(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing-folder", "x.db"))
            : new PipelineDbOptions { MaxValueBytes = 16, TransientRetryAttempts = 1 }.UsePostgreSql("Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=1");
        await using var db = PipelineDb.Open(unreachable);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateToolCallAsync(db,
            new NewToolCall { StepId = Guid.NewGuid(), ToolCallId = "c", ToolName = "read", Output = Seed.Json("\"0123456789abcdefghij\"") }));
        Assert.Equal("output", e.ParamName);
        await Assert.ThrowsAsync<PipelineDatabaseException>(() => CreateToolCallAsync(db,
            new NewToolCall { StepId = Guid.NewGuid(), ToolCallId = "c", ToolName = "read", Output = Seed.Json("1") }));
    }

    [Fact]
    public async Task Closing_the_handle_writes_the_rows_already_queued_and_refuses_later_calls()
    {
        var db = PipelineDb.Open(new PipelineDbOptions().UseTarget(Fixture.Target));
        var (_, _, step) = await Seed.StepAsync(db);
        var hold = new SemaphoreSlim(0);
        var allQueued = WhenQueued(db, 6);
        GroupCommitProbe.Of(db).Hold = hold;
        // Closing releases the hold itself; the flusher then stops right after its commit, until
        // the test lets it go on, so the close is seen waiting for it whatever the timing.
        using var afterCommit = new ManualResetEventSlim(false);
        GroupCommitProbe.Of(db).BatchCommitted = () => afterCommit.Wait(TimeSpan.FromMinutes(1));
        var calls = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = $"closing_{i}", ToolName = "read" }))).ToList();
        await allQueued.WaitAsync(TimeSpan.FromMinutes(1));

        var closing = db.DisposeAsync().AsTask();
        Assert.False(closing.IsCompleted); // it waits for the queued rows
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = "late", ToolName = "read" }));
        Assert.False(closing.IsCompleted);
        afterCommit.Set();
        // A guard against a hang, not a synchronization: every call is expected to end at once.
        await closing.WaitAsync(TimeSpan.FromMinutes(1));
        var ids = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(6, ids.Distinct().Count());
        Assert.Equal(6, await Fixture.CountAsync("tool_calls", "step_id = @s AND tool_call_id LIKE 'closing_%'", ("s", step)));
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "step_id = @s AND tool_call_id = 'late'", ("s", step)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = "after", ToolName = "read" }));
    }

    [Fact]
    public async Task A_lone_call_goes_straight_to_the_database_and_overlapping_calls_all_land()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var queued = 0;
        GroupCommitProbe.Of(Db).Queued = () => Interlocked.Increment(ref queued);
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "alone" });
        Assert.Equal(0, queued);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Decision, Content = $"together {i}" }))));

        Assert.Equal(65, (await GetMemoryRecordsAsync(Db, run)).Count);
    }

    [Fact]
    public async Task With_a_writer_threshold_calls_share_commits_from_that_many_overlapping_until_half_as_many_remain()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions { GroupCommitMinWriters = 4 }.UseTarget(Fixture.Target));
        var (_, _, step) = await Seed.StepAsync(db);
        // Calls that commit alone wait at a gate each (the fourth gate is open), so they stay in flight.
        var gates = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        gates[3].SetResult();
        var alone = 0;
        var threeAlone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GroupCommitProbe.Of(db).BeforeAlone = () =>
        {
            var n = Interlocked.Increment(ref alone);
            if (n == 3)
            {
                threeAlone.SetResult();
            }
            return gates[Math.Min(n, 4) - 1].Task;
        };
        var queued = new SemaphoreSlim(0);
        GroupCommitProbe.Of(db).Queued = () => queued.Release();
        Task<Guid> Call(int i) => Task.Run(() => CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = $"threshold_{i}", ToolName = "read" }));
        var batchesBefore = GroupCommitProbe.Of(db).Batches;
        // Every wait is bounded and names its step (with how many calls went alone), and the gates
        // open at the end whatever happens: a failure reports itself instead of holding the run.
        async Task Done(Task task, string what)
        {
            try
            {
                await task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"{what} did not finish within 60 s ({Volatile.Read(ref alone)} calls went alone, {GroupCommitProbe.Of(db).Batches - batchesBefore} batches)");
            }
        }
        async Task<T> Within<T>(Task<T> task, string what)
        {
            await Done(task, what);
            return await task;
        }
        var first = new List<Task<Guid>>();
        try
        {
            // Three overlapping calls stay under the threshold: each commits alone.
            first.AddRange(Enumerable.Range(0, 3).Select(Call));
            await Done(threeAlone.Task, "the three first calls reaching their gates");
            // The fourth in flight reaches it: its row is queued and committed in a batch while the three still wait.
            var fourth = Call(3);
            Assert.True(await queued.WaitAsync(TimeSpan.FromSeconds(60)), "the call was not queued");
            await Within(fourth, "the fourth call");
            Assert.Equal(3, Volatile.Read(ref alone));
            Assert.All(first, t => Assert.False(t.IsCompleted));

            // One of the three finishes: three in flight with the new call, above half the threshold, so still batched.
            gates[0].SetResult();
            await Done(Task.WhenAny(first), "the first gated call");
            // The two still at their gates, taken while neither can finish (their gates are shut):
            // a list taken later could miss one that finished meanwhile and wait on the other.
            var stillGated = first.Where(t => !t.IsCompleted).ToList();
            Assert.Equal(2, stillGated.Count);
            var fifth = Call(4);
            Assert.True(await queued.WaitAsync(TimeSpan.FromSeconds(60)), "the call was not queued");
            await Within(fifth, "the fifth call");
            Assert.Equal(3, Volatile.Read(ref alone));

            // Another finishes: two in flight with the new call, half the threshold, so it commits alone again.
            gates[1].SetResult();
            await Done(Task.WhenAny(stillGated), "the second gated call");
            var sixth = await Within(Call(5), "the sixth call");
            Assert.Equal(4, Volatile.Read(ref alone));

            gates[2].SetResult();
            await Within(Task.WhenAll(first), "the three gated calls");
            Assert.Equal(2, GroupCommitProbe.Of(db).Batches - batchesBefore);
            Assert.Equal(6, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
            Assert.Equal(1, await Fixture.CountAsync("tool_calls", "id = @id", ("id", sixth)));
        }
        finally
        {
            foreach (var gate in gates)
            {
                gate.TrySetResult();
            }
            await Task.WhenAll(first).WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task Closing_twice_at_once_returns_only_when_the_queued_rows_are_written_even_from_a_held_batch()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseTarget(Fixture.Target));
        var (_, _, step) = await Seed.StepAsync(db);
        var allQueued = WhenQueued(db, 5);
        GroupCommitProbe.Of(db).Hold = new SemaphoreSlim(0); // never released by the test: closing must not wait on it
        var calls = Enumerable.Range(0, 5)
            .Select(i => Task.Run(() => CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = $"closing_{i}", ToolName = "read" })))
            .ToList();
        await allQueued.WaitAsync(TimeSpan.FromSeconds(60));

        var first = db.DisposeAsync().AsTask();
        var second = db.DisposeAsync().AsTask();
        await second.WaitAsync(TimeSpan.FromSeconds(60));

        // When the close returns the rows are committed (the calls' own continuations may still be on their way).
        Assert.Equal(5, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
        Assert.True(first.IsCompletedSuccessfully);
        var ids = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(5, ids.Distinct().Count());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = "late", ToolName = "read" }));
    }

    [Fact]
    public void A_writer_threshold_under_two_is_refused_naming_the_option()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PipelineDb.Open(new PipelineDbOptions { GroupCommitMinWriters = 1 }.UseTarget(Fixture.Target)));
        Assert.Contains("GroupCommitMinWriters", e.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteGroupCommitTests(SqliteFixture f) : GroupCommitTests<SqliteFixture>(f);
public sealed class PostgreSqlGroupCommitTests(PostgreSqlFixture f) : GroupCommitTests<PostgreSqlFixture>(f);
