using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

public abstract class PhaseResultTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    [Fact]
    public async Task Create_phase_result_starts_it_running_with_started_at()
    {
        var run = await Seed.RunAsync(Db);
        var id = await CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Approaches });

        var row = await Fixture.RowAsync("phase_results", id);
        Assert.Equal(run, AsGuid(row["run_id"]));
        Assert.Equal("approaches", row["phase"]);
        Assert.Equal("running", row["status"]);
        Assert.Null(row["output"]);
        Assert.Equal(Clock.Now, AsTime(row["started_at"]));
        Assert.Null(row["completed_at"]);
    }

    [Fact]
    public async Task Create_phase_result_replayed_is_a_no_op_and_with_another_phase_a_conflict()
    {
        var run = await Seed.RunAsync(Db);
        var data = new NewPhaseResult { Id = Guid.NewGuid(), RunId = run, Phase = FeaturePhase.Judging };
        Assert.Equal(data.Id, await CreatePhaseResultAsync(Db, data));
        Assert.Equal(data.Id, await CreatePhaseResultAsync(Db, data));

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreatePhaseResultAsync(Db, data with { Phase = FeaturePhase.Pr }));

        Assert.Equal(["phase"], e.DifferingColumns);
        Assert.Equal(1, await Fixture.CountAsync("phase_results", "run_id = @r", ("r", run)));
        Assert.Equal("judging", (await Fixture.RowAsync("phase_results", data.Id!.Value))["phase"]);
    }

    [Fact]
    public async Task Create_phase_result_of_a_missing_run_throws_not_found_and_writes_nothing()
    {
        var id = Guid.NewGuid();
        var run = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreatePhaseResultAsync(Db, new NewPhaseResult { Id = id, RunId = run, Phase = FeaturePhase.Analysis }));
        Assert.Equal(("feature_runs", run.ToString()), (e.Table, e.Id));
        Assert.Equal(0, await Fixture.CountAsync("phase_results", "id = @id", ("id", id)));
    }

    [Fact]
    public async Task Create_phase_result_of_a_terminal_run_throws_invalid_transition()
    {
        var run = await Seed.RunAsync(Db);
        await FailFeatureRunAsync(Db, run);
        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Pr }));
        Assert.Equal("failed", e.CurrentState);
        Assert.Equal(0, await Fixture.CountAsync("phase_results", "run_id = @r", ("r", run)));
    }

    [Fact]
    public async Task Create_phase_result_for_a_terminal_phase_throws_argument_exception()
    {
        var run = await Seed.RunAsync(Db);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Completed }));
        Assert.Equal("data.Phase", e.ParamName);
    }

    [Fact]
    public async Task Pass_stores_the_output_and_completed_at_and_a_repeat_keeps_the_first_stamp()
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var completed = Clock.Advance(TimeSpan.FromMinutes(7));
        await PassPhaseResultAsync(Db, phase, Json("""{"summary":"3 approaches","approaches":[1,2,3]}"""));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await PassPhaseResultAsync(Db, phase, Json("""{"approaches":[1,2,3],"summary":"3 approaches"}"""));

        var row = await Fixture.RowAsync("phase_results", phase);
        Assert.Equal("passed", row["status"]);
        AssertJson("""{"summary":"3 approaches","approaches":[1,2,3]}""", row["output"]);
        Assert.Equal(completed, AsTime(row["completed_at"]));
    }

    [Fact]
    public async Task Fail_marks_failed_and_a_repeat_is_a_no_op()
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var failedAt = Clock.Now;
        await FailPhaseResultAsync(Db, phase);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await FailPhaseResultAsync(Db, phase);

        var row = await Fixture.RowAsync("phase_results", phase);
        Assert.Equal("failed", row["status"]);
        Assert.Equal(failedAt, AsTime(row["completed_at"]));
    }

    [Fact]
    public async Task A_finished_phase_result_refuses_the_other_outcome_and_a_different_output()
    {
        var (_, passed) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, passed, Json("""{"ok":true}"""));
        var (_, failed) = await Seed.PhaseAsync(Db);
        await FailPhaseResultAsync(Db, failed);

        var e1 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => FailPhaseResultAsync(Db, passed));
        var e2 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => PassPhaseResultAsync(Db, failed, null));
        var e3 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => PassPhaseResultAsync(Db, passed, Json("""{"ok":false}""")));

        Assert.Equal(("passed", "failed"), (e1.CurrentState, e1.RequestedState));
        Assert.Equal(("failed", "passed"), (e2.CurrentState, e2.RequestedState));
        Assert.Equal("passed", e3.CurrentState);
        AssertJson("""{"ok":true}""", (await Fixture.RowAsync("phase_results", passed))["output"]);
        Assert.Equal("failed", (await Fixture.RowAsync("phase_results", failed))["status"]);
    }

    [Fact]
    public async Task Pass_or_fail_of_a_missing_phase_result_throws_not_found()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => PassPhaseResultAsync(Db, id, null));
        Assert.Equal(("phase_results", id.ToString()), (e.Table, e.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => FailPhaseResultAsync(Db, id));
    }
}

public sealed class SqlitePhaseResultTests(SqliteFixture f) : PhaseResultTests<SqliteFixture>(f);
public sealed class PostgreSqlPhaseResultTests(PostgreSqlFixture f) : PhaseResultTests<PostgreSqlFixture>(f);
