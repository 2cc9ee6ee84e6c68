using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

public abstract class MemoryRecordTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    [Fact]
    public async Task A_record_takes_run_and_phase_from_its_phase_result_and_reads_back()
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var id = await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, InvocationId = invocation, Kind = MemoryKind.Constraint, Content = "Keep the public API stable." });

        var row = await Fixture.RowAsync("memory_records", id);
        Assert.Equal(run, AsGuid(row["run_id"]));
        Assert.Equal(phase, AsGuid(row["phase_result_id"]));
        Assert.Equal(invocation, AsGuid(row["invocation_id"]));
        Assert.Equal("analysis", row["phase"]);
        Assert.Equal("constraint", row["kind"]);
        Assert.Equal("Keep the public API stable.", row["content"]);
        Assert.Equal(Clock.Now, AsTime(row["created_at"]));
        var read = Assert.Single(await GetMemoryRecordsAsync(Db, run));
        Assert.Equal(new MemoryRecord(id, FeaturePhase.Analysis, MemoryKind.Constraint, "Keep the public API stable.", Clock.Now) { RunId = run, PhaseResultId = phase, InvocationId = invocation }, read);
    }

    [Fact]
    public async Task Records_made_in_the_same_clock_tick_come_back_in_insertion_order()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var kinds = Enum.GetValues<MemoryKind>();
        var expected = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            // Contents that sort differently from insertion order, and ids that would too.
            var content = $"{(char)('z' - (i % 26))}-note-{i}";
            expected.Add(content);
            await CreateMemoryRecordAsync(Db, new NewMemoryRecord { Id = Guid.NewGuid(), PhaseResultId = phase, Kind = kinds[i % kinds.Length], Content = content });
        }

        var read = await GetMemoryRecordsAsync(Db, run);

        Assert.Equal(expected, read.Select(r => r.Content));
        Assert.All(read, r => Assert.Equal(Clock.Now, r.CreatedAt));
    }

    [Fact]
    public async Task Records_come_back_by_creation_time_first_across_phases()
    {
        var (run, analysis) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, analysis, null);
        var judging = await CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Judging });
        var late = Clock.Now.AddMinutes(5);
        Clock.Set(late);
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = judging, Kind = MemoryKind.Decision, Content = "later" });
        Clock.Set(late.AddMinutes(-10));
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = analysis, Kind = MemoryKind.Insight, Content = "earlier" });

        var read = await GetMemoryRecordsAsync(Db, run);

        Assert.Equal(["earlier", "later"], read.Select(r => r.Content));
        Assert.Equal([FeaturePhase.Analysis, FeaturePhase.Judging], read.Select(r => r.Phase));
    }

    [Fact]
    public async Task Records_stamped_out_of_insertion_order_come_back_by_time_then_insertion()
    {
        // A clock that jumps back and forth among a few instants: many records share an instant, and
        // the table holds them in insertion order, which is not the order a read must return.
        var (run, phase) = await Seed.PhaseAsync(Db);
        var start = Clock.Now;
        var random = new Random(7);
        var written = new List<(DateTimeOffset At, string Content)>();
        for (var i = 0; i < 300; i++)
        {
            var at = start.AddSeconds(random.Next(5));
            Clock.Set(at);
            var content = $"note-{i}";
            written.Add((at, content));
            await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = content });
        }

        var read = await GetMemoryRecordsAsync(Db, run);

        // OrderBy is stable: same instant, insertion order.
        Assert.Equal(written.OrderBy(w => w.At).Select(w => w.Content), read.Select(r => r.Content));
        Assert.Equal(written.OrderBy(w => w.At).Select(w => w.At), read.Select(r => r.CreatedAt));
    }

    [Fact]
    public async Task Get_returns_only_the_runs_own_records()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var (other, otherPhase) = await Seed.PhaseAsync(Db);
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Failure, Content = "mine" });
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = otherPhase, Kind = MemoryKind.Failure, Content = "theirs" });

        Assert.Equal(["mine"], (await GetMemoryRecordsAsync(Db, run)).Select(r => r.Content));
        Assert.Equal(["theirs"], (await GetMemoryRecordsAsync(Db, other)).Select(r => r.Content));
        Assert.Empty(await GetMemoryRecordsAsync(Db, await Seed.RunAsync(Db)));
    }

    [Fact]
    public async Task Create_record_replayed_is_a_no_op_and_with_other_content_a_conflict()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var data = new NewMemoryRecord { Id = Guid.NewGuid(), PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "Uses pnpm" };
        await CreateMemoryRecordAsync(Db, data);
        Assert.Equal(data.Id, await CreateMemoryRecordAsync(Db, data));

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateMemoryRecordAsync(Db, data with { Content = "Uses npm" }));

        Assert.Equal(["content"], e.DifferingColumns);
        Assert.Equal(["Uses pnpm"], (await GetMemoryRecordsAsync(Db, run)).Select(r => r.Content));
    }

    [Fact]
    public async Task Missing_parents_throw_not_found_and_an_invocation_of_another_run_is_refused()
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var (_, _, foreignInvocation) = await Seed.InvocationAsync(Db);
        var missing = Guid.NewGuid();
        var id = Guid.NewGuid();

        var e1 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateMemoryRecordAsync(Db, new NewMemoryRecord { Id = id, PhaseResultId = missing, Kind = MemoryKind.Insight, Content = "x" }));
        var e2 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateMemoryRecordAsync(Db, new NewMemoryRecord { Id = id, PhaseResultId = phase, InvocationId = missing, Kind = MemoryKind.Insight, Content = "x" }));
        var e3 = await Assert.ThrowsAsync<ArgumentException>(() => CreateMemoryRecordAsync(Db, new NewMemoryRecord { Id = id, PhaseResultId = phase, InvocationId = foreignInvocation, Kind = MemoryKind.Insight, Content = "x" }));
        var e4 = await Assert.ThrowsAsync<RecordNotFoundException>(() => GetMemoryRecordsAsync(Db, missing));

        Assert.Equal("phase_results", e1.Table);
        Assert.Equal("agent_invocations", e2.Table);
        Assert.Equal("data.InvocationId", e3.ParamName);
        Assert.Equal("feature_runs", e4.Table);
        Assert.Equal(0, await Fixture.CountAsync("memory_records", "id = @id", ("id", id)));
    }
}

public sealed class SqliteMemoryRecordTests(SqliteFixture f) : MemoryRecordTests<SqliteFixture>(f);
public sealed class PostgreSqlMemoryRecordTests(PostgreSqlFixture f) : MemoryRecordTests<PostgreSqlFixture>(f);
