using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

public abstract class SandboxTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static string NewId() => "sbx_" + Guid.NewGuid().ToString("N");

    private static NewSandboxRecord Full(string id) => new()
    {
        Id = id, Status = SandboxStatus.Pending, Runtime = "node24", Memory = 4096, Vcpus = 2, Region = "iad1", Cwd = "/vercel/sandbox",
        Timeout = 2_700_000, NetworkPolicy = Seed.Json("""{"mode":"allow-list","allow":["registry.npmjs.org"]}"""), InteractivePort = 3000,
        Routes = Seed.Json("""[{"url":"https://x.vercel.run","subdomain":"x","port":3000}]"""), SourceSnapshotId = "snap_base",
        SourceType = SandboxSourceType.Git, SourceUrl = "https://github.com/acme/shop.git", SourceRevision = "a1b2c3", SourceDepth = 1,
        RequestedAt = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task Create_sandbox_stores_every_column()
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, Full(id));

        var row = await Fixture.RowAsync("sandboxes", id);
        Assert.Null(row["run_id"]);
        Assert.Equal("pending", row["status"]);
        Assert.Equal("node24", row["runtime"]);
        Assert.Equal(4096, AsLong(row["memory"]));
        Assert.Equal(2, AsLong(row["vcpus"]));
        Assert.Equal("iad1", row["region"]);
        Assert.Equal("/vercel/sandbox", row["cwd"]);
        Assert.Equal(2_700_000, AsLong(row["timeout"]));
        AssertJson("""{"allow":["registry.npmjs.org"],"mode":"allow-list"}""", row["network_policy"]);
        Assert.Equal(3000, AsLong(row["interactive_port"]));
        AssertJson("""[{"url":"https://x.vercel.run","subdomain":"x","port":3000}]""", row["routes"]);
        Assert.Equal("snap_base", row["source_snapshot_id"]);
        Assert.Equal("git", row["source_type"]);
        Assert.Equal("https://github.com/acme/shop.git", row["source_url"]);
        Assert.Equal("a1b2c3", row["source_revision"]);
        Assert.Equal(1, AsLong(row["source_depth"]));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), AsTime(row["requested_at"]));
        Assert.Equal(Clock.Now, AsTime(row["created_at"]));
        foreach (var stamp in new[] { "started_at", "requested_stop_at", "stopped_at", "aborted_at", "snapshotted_at", "duration" })
        {
            Assert.Null(row[stamp]);
        }
    }

    [Fact]
    public async Task Create_sandbox_replayed_with_the_same_data_is_a_no_op_and_with_other_data_a_conflict()
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, Full(id));
        Clock.Advance(TimeSpan.FromSeconds(9));
        await CreateSandboxRecordAsync(Db, Full(id) with { NetworkPolicy = Seed.Json("""{ "allow" : ["registry.npmjs.org"], "mode" : "allow-list" }""") });

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateSandboxRecordAsync(Db, Full(id) with { Vcpus = 8 }));

        Assert.Equal(["vcpus"], e.DifferingColumns);
        var row = await Fixture.RowAsync("sandboxes", id);
        Assert.Equal(2, AsLong(row["vcpus"]));
        Assert.Equal(Clock.Now.AddSeconds(-9), AsTime(row["created_at"]));
    }

    [Theory]
    [InlineData(SandboxStatus.Pending, SandboxStatus.Running)]
    [InlineData(SandboxStatus.Pending, SandboxStatus.Stopped)]
    [InlineData(SandboxStatus.Running, SandboxStatus.Snapshotting)]
    [InlineData(SandboxStatus.Running, SandboxStatus.Aborted)]
    public async Task Create_sandbox_replayed_after_its_status_moved_on_is_a_no_op_that_keeps_the_stored_status(SandboxStatus created, SandboxStatus now)
    {
        // A durable "provision" step records the sandbox, then marks it running (and later more);
        // replaying the step's create must not fail because the status has moved since.
        var id = NewId();
        await CreateSandboxRecordAsync(Db, Full(id) with { Status = created });
        Clock.Advance(TimeSpan.FromSeconds(5));
        await UpdateSandboxStatusAsync(Db, id, now);
        var before = await Fixture.RowAsync("sandboxes", id);
        Clock.Advance(TimeSpan.FromSeconds(5));

        await CreateSandboxRecordAsync(Db, Full(id) with { Status = created });

        var after = await Fixture.RowAsync("sandboxes", id);
        Assert.Equal(DbEnum<SandboxStatus>.ToDb(now), after["status"]);
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData(SandboxStatus.Running, SandboxStatus.Stopped, SandboxStatus.Failed)]     // a final status the caller sent must still be there
    [InlineData(SandboxStatus.Running, SandboxStatus.Running, SandboxStatus.Stopped)]
    [InlineData(SandboxStatus.Pending, SandboxStatus.Pending, SandboxStatus.Running)]      // pending is never reached from another status
    public async Task Create_sandbox_replayed_with_a_status_the_stored_one_cannot_have_come_from_is_a_conflict(
        SandboxStatus created, SandboxStatus now, SandboxStatus replayed)
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, Full(id) with { Status = created });
        if (now != created)
        {
            await UpdateSandboxStatusAsync(Db, id, now);
        }

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateSandboxRecordAsync(Db, Full(id) with { Status = replayed }));

        Assert.Equal(["status"], e.DifferingColumns);
        Assert.Equal(DbEnum<SandboxStatus>.ToDb(now), (await Fixture.RowAsync("sandboxes", id))["status"]);
    }

    [Fact]
    public async Task Status_changes_stamp_the_lifecycle_columns_and_duration_once_stopped()
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = id });
        var started = Clock.Advance(TimeSpan.FromSeconds(2));
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Running);
        var snapshotted = Clock.Advance(TimeSpan.FromMinutes(10));
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Snapshotting);
        Clock.Advance(TimeSpan.FromSeconds(30));
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Running);
        var stopping = Clock.Advance(TimeSpan.FromMinutes(5));
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Stopping);
        var stopped = Clock.Advance(TimeSpan.FromMilliseconds(1500));
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Stopped);

        var row = await Fixture.RowAsync("sandboxes", id);
        Assert.Equal("stopped", row["status"]);
        Assert.Equal(started, AsTime(row["started_at"]));
        Assert.Equal(snapshotted, AsTime(row["snapshotted_at"]));
        Assert.Equal(stopping, AsTime(row["requested_stop_at"]));
        Assert.Equal(stopped, AsTime(row["stopped_at"]));
        Assert.Null(row["aborted_at"]);
        Assert.Equal((long)(stopped - started).TotalMilliseconds, AsLong(row["duration"]));
    }

    [Fact]
    public async Task Created_as_running_stamps_started_at_and_aborted_stamps_aborted_at()
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = id, Status = SandboxStatus.Running });
        var created = Clock.Now;
        var aborted = Clock.Advance(TimeSpan.FromSeconds(40));
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Aborted);

        var row = await Fixture.RowAsync("sandboxes", id);
        Assert.Equal(created, AsTime(row["started_at"]));
        Assert.Equal(aborted, AsTime(row["aborted_at"]));
        Assert.Equal("aborted", row["status"]);
    }

    [Theory]
    [InlineData(SandboxStatus.Stopped)]
    [InlineData(SandboxStatus.Failed)]
    [InlineData(SandboxStatus.Aborted)]
    public async Task A_final_status_repeated_keeps_its_first_stamps_and_refuses_every_other_status(SandboxStatus final)
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = id, Status = SandboxStatus.Running });
        Clock.Advance(TimeSpan.FromSeconds(5));
        await UpdateSandboxStatusAsync(Db, id, final);
        var before = await Fixture.RowAsync("sandboxes", id);
        Clock.Advance(TimeSpan.FromSeconds(5));
        await UpdateSandboxStatusAsync(Db, id, final);
        Assert.Equal(before, await Fixture.RowAsync("sandboxes", id));

        foreach (var other in Enum.GetValues<SandboxStatus>().Where(s => s != final))
        {
            var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => UpdateSandboxStatusAsync(Db, id, other));
            Assert.Equal(before["status"], e.CurrentState);
        }
        Assert.Equal(before, await Fixture.RowAsync("sandboxes", id));
    }

    [Fact]
    public async Task A_sandbox_never_goes_back_to_pending()
    {
        var id = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = id });
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Pending);
        await UpdateSandboxStatusAsync(Db, id, SandboxStatus.Running);

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => UpdateSandboxStatusAsync(Db, id, SandboxStatus.Pending));
        Assert.Equal(("running", "pending"), (e.CurrentState, e.RequestedState));
    }

    [Fact]
    public async Task Status_of_a_missing_sandbox_throws_not_found()
    {
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => UpdateSandboxStatusAsync(Db, "sbx_nope", SandboxStatus.Running));
        Assert.Equal(("sandboxes", "sbx_nope"), (e.Table, e.Id));
    }
}

public sealed class SqliteSandboxTests(SqliteFixture f) : SandboxTests<SqliteFixture>(f);
public sealed class PostgreSqlSandboxTests(PostgreSqlFixture f) : SandboxTests<PostgreSqlFixture>(f);
