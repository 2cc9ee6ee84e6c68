using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

public abstract class FeatureRunTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private async Task<string> SandboxAsync()
    {
        var id = "sbx_" + Guid.NewGuid().ToString("N");
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = id });
        return id;
    }

    [Fact]
    public async Task Create_run_stores_every_column_and_fills_the_sandbox_run_id()
    {
        var sandbox = await SandboxAsync();
        var id = Guid.NewGuid();
        var returned = await CreateFeatureRunAsync(Db, new NewFeatureRun
        {
            Id = id, Prompt = "Add CSV export", SandboxId = sandbox,
            GithubRepoUrl = "https://github.com/acme/shop", GithubBranch = "feature/csv",
        });

        Assert.Equal(id, returned);
        var row = await Fixture.RowAsync("feature_runs", id);
        Assert.Equal("Add CSV export", row["prompt"]);
        Assert.Equal(sandbox, row["sandbox_id"]);
        Assert.Equal("https://github.com/acme/shop", row["github_repo_url"]);
        Assert.Equal("feature/csv", row["github_branch"]);
        Assert.Equal("analysis", row["current_phase"]);
        Assert.Equal(Clock.Now.AddTicks(-(Clock.Now.UtcTicks % 10)), AsTime(row["created_at"]));
        Assert.Null(row["completed_at"]);
        Assert.Equal(id, AsGuid((await Fixture.RowAsync("sandboxes", sandbox))["run_id"]));
    }

    [Fact]
    public async Task Create_run_without_id_returns_a_time_ordered_version_7_uuid()
    {
        var first = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "one" });
        Clock.Advance(TimeSpan.FromMilliseconds(5));
        var second = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "two" });

        Assert.Equal(7, first.Version);
        Assert.True(string.CompareOrdinal(first.ToString(), second.ToString()) < 0);
        Assert.Equal(1, await Fixture.CountAsync("feature_runs", "id = @id", ("id", first)));
    }

    [Fact]
    public async Task Create_run_replayed_with_the_same_data_writes_nothing_and_returns_the_same_id()
    {
        var sandbox = await SandboxAsync();
        var data = new NewFeatureRun { Id = Guid.NewGuid(), Prompt = "p", SandboxId = sandbox, GithubBranch = "b" };
        var first = await CreateFeatureRunAsync(Db, data);
        var createdAt = (await Fixture.RowAsync("feature_runs", first))["created_at"];
        Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await CreateFeatureRunAsync(Db, data);

        Assert.Equal(first, again);
        Assert.Equal(1, await Fixture.CountAsync("feature_runs", "id = @id", ("id", first)));
        Assert.Equal(createdAt, (await Fixture.RowAsync("feature_runs", first))["created_at"]);
    }

    [Fact]
    public async Task Create_run_replayed_with_different_data_throws_conflict_and_keeps_the_row()
    {
        var data = new NewFeatureRun { Id = Guid.NewGuid(), Prompt = "original" };
        await CreateFeatureRunAsync(Db, data);

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateFeatureRunAsync(Db, data with { Prompt = "changed" }));

        Assert.Equal("feature_runs", e.Table);
        Assert.Contains("prompt", e.DifferingColumns);
        Assert.Equal("original", (await Fixture.RowAsync("feature_runs", data.Id!.Value))["prompt"]);
    }

    [Fact]
    public async Task Create_run_replayed_with_another_sandbox_throws_conflict_and_leaves_that_sandbox_unclaimed()
    {
        var first = await SandboxAsync();
        var second = await SandboxAsync();
        var data = new NewFeatureRun { Id = Guid.NewGuid(), Prompt = "p", SandboxId = first };
        await CreateFeatureRunAsync(Db, data);

        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateFeatureRunAsync(Db, data with { SandboxId = second }));

        Assert.Null((await Fixture.RowAsync("sandboxes", second))["run_id"]);
    }

    [Fact]
    public async Task Create_run_with_a_missing_sandbox_throws_not_found_and_writes_nothing()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() =>
            CreateFeatureRunAsync(Db, new NewFeatureRun { Id = id, Prompt = "p", SandboxId = "sbx_missing" }));

        Assert.Equal("sandboxes", e.Table);
        Assert.Equal("sbx_missing", e.Id);
        Assert.Equal(0, await Fixture.CountAsync("feature_runs", "id = @id", ("id", id)));
    }

    [Fact]
    public async Task Create_run_with_a_sandbox_another_run_uses_throws_and_writes_nothing()
    {
        var sandbox = await SandboxAsync();
        var owner = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "first", SandboxId = sandbox });
        var id = Guid.NewGuid();

        var e = await Assert.ThrowsAsync<SandboxInUseException>(() =>
            CreateFeatureRunAsync(Db, new NewFeatureRun { Id = id, Prompt = "second", SandboxId = sandbox }));

        Assert.Equal(owner, e.RunId);
        Assert.Equal(0, await Fixture.CountAsync("feature_runs", "id = @id", ("id", id)));
        Assert.Equal(owner, AsGuid((await Fixture.RowAsync("sandboxes", sandbox))["run_id"]));
    }

    [Fact]
    public async Task Update_phase_moves_a_run_among_the_working_phases()
    {
        var run = await Seed.RunAsync(Db);
        foreach (var phase in new[] { FeaturePhase.Approaches, FeaturePhase.Judging, FeaturePhase.Implementation, FeaturePhase.Pr, FeaturePhase.Implementation })
        {
            await UpdateFeatureRunPhaseAsync(Db, run, phase);
            Assert.Equal(phase == FeaturePhase.Pr ? "pr" : phase.ToString().ToLowerInvariant(), (await Fixture.RowAsync("feature_runs", run))["current_phase"]);
        }
        await UpdateFeatureRunPhaseAsync(Db, run, FeaturePhase.Implementation);
        Assert.Equal("implementation", (await Fixture.RowAsync("feature_runs", run))["current_phase"]);
    }

    [Theory]
    [InlineData(FeaturePhase.Completed)]
    [InlineData(FeaturePhase.Failed)]
    [InlineData((FeaturePhase)42)]
    public async Task Update_phase_to_a_non_working_phase_throws_argument_exception_naming_phase(FeaturePhase phase)
    {
        var run = await Seed.RunAsync(Db);
        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => UpdateFeatureRunPhaseAsync(Db, run, phase));
        Assert.Equal("phase", e.ParamName);
        Assert.Equal("analysis", (await Fixture.RowAsync("feature_runs", run))["current_phase"]);
    }

    [Fact]
    public async Task Update_phase_of_a_missing_run_throws_not_found()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => UpdateFeatureRunPhaseAsync(Db, id, FeaturePhase.Judging));
        Assert.Equal(("feature_runs", id.ToString()), (e.Table, e.Id));
    }

    [Fact]
    public async Task Complete_run_stamps_completed_at_once_and_a_repeat_keeps_the_first_stamp()
    {
        var run = await Seed.RunAsync(Db);
        Clock.Advance(TimeSpan.FromHours(1));
        var completedAt = Clock.Now;
        await CompleteFeatureRunAsync(Db, run);
        Clock.Advance(TimeSpan.FromHours(1));
        await CompleteFeatureRunAsync(Db, run);

        var row = await Fixture.RowAsync("feature_runs", run);
        Assert.Equal("completed", row["current_phase"]);
        Assert.Equal(completedAt.AddTicks(-(completedAt.UtcTicks % 10)), AsTime(row["completed_at"]));
    }

    [Fact]
    public async Task Fail_run_is_terminal_and_a_repeat_is_a_no_op()
    {
        var run = await Seed.RunAsync(Db);
        await FailFeatureRunAsync(Db, run);
        var stamped = (await Fixture.RowAsync("feature_runs", run))["completed_at"];
        Clock.Advance(TimeSpan.FromMinutes(3));
        await FailFeatureRunAsync(Db, run);

        var row = await Fixture.RowAsync("feature_runs", run);
        Assert.Equal("failed", row["current_phase"]);
        Assert.Equal(stamped, row["completed_at"]);
    }

    [Fact]
    public async Task A_terminal_run_refuses_every_other_transition_with_its_current_state()
    {
        var completed = await Seed.RunAsync(Db);
        await CompleteFeatureRunAsync(Db, completed);
        var failed = await Seed.RunAsync(Db);
        await FailFeatureRunAsync(Db, failed);

        var e1 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => FailFeatureRunAsync(Db, completed));
        var e2 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteFeatureRunAsync(Db, failed));
        var e3 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => UpdateFeatureRunPhaseAsync(Db, completed, FeaturePhase.Pr));
        var e4 = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => UpdateFeatureRunPhaseAsync(Db, failed, FeaturePhase.Analysis));

        Assert.Equal(("completed", "failed"), (e1.CurrentState, e1.RequestedState));
        Assert.Equal(("failed", "completed"), (e2.CurrentState, e2.RequestedState));
        Assert.Equal("completed", e3.CurrentState);
        Assert.Equal("failed", e4.CurrentState);
        Assert.Equal("completed", (await Fixture.RowAsync("feature_runs", completed))["current_phase"]);
        Assert.Equal("failed", (await Fixture.RowAsync("feature_runs", failed))["current_phase"]);
    }

    [Fact]
    public async Task Complete_or_fail_of_a_missing_run_throws_not_found()
    {
        await Assert.ThrowsAsync<RecordNotFoundException>(() => CompleteFeatureRunAsync(Db, Guid.NewGuid()));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => FailFeatureRunAsync(Db, Guid.NewGuid()));
    }
}

public sealed class SqliteFeatureRunTests(SqliteFixture f) : FeatureRunTests<SqliteFixture>(f);
public sealed class PostgreSqlFeatureRunTests(PostgreSqlFixture f) : FeatureRunTests<PostgreSqlFixture>(f);
