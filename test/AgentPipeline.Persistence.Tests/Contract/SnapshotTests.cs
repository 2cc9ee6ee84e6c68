using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>sandbox_snapshots: every column, the run id copied from the sandbox (also for snapshots recorded before the claim), a missing sandbox.</summary>
public abstract class SnapshotTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static string NewId() => "sbx_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Snapshot_stores_every_column_and_copies_the_run_id_from_its_sandbox()
    {
        var sandbox = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox });
        var run = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p", SandboxId = sandbox });
        var expires = new DateTimeOffset(2026, 12, 26, 0, 0, 0, TimeSpan.Zero);
        var snapshot = new NewSnapshotRecord { Id = "snap_" + Guid.NewGuid().ToString("N"), SandboxId = sandbox, SizeBytes = 5_368_709_120, Region = "iad1", ExpiresAt = expires };

        await CreateSnapshotRecordAsync(Db, snapshot);
        await CreateSnapshotRecordAsync(Db, snapshot);

        var row = await Fixture.RowAsync("sandbox_snapshots", snapshot.Id);
        Assert.Equal(sandbox, row["sandbox_id"]);
        Assert.Equal(run, AsGuid(row["run_id"]));
        Assert.Equal("created", row["status"]);
        Assert.Equal(5_368_709_120, AsLong(row["size_bytes"]));
        Assert.Equal("iad1", row["region"]);
        Assert.Equal(expires, AsTime(row["expires_at"]));
        Assert.Equal(Clock.Now, AsTime(row["created_at"]));
        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateSnapshotRecordAsync(Db, snapshot with { Status = SnapshotStatus.Failed }));
        Assert.Equal(["status"], e.DifferingColumns);
    }

    [Fact]
    public async Task Snapshots_recorded_before_a_run_claims_the_sandbox_get_its_run_id_with_the_claim()
    {
        var sandbox = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox });
        var early = new NewSnapshotRecord { Id = "snap_" + Guid.NewGuid().ToString("N"), SandboxId = sandbox };
        await CreateSnapshotRecordAsync(Db, early);
        Assert.Null((await Fixture.RowAsync("sandbox_snapshots", early.Id))["run_id"]);
        var other = NewId();
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = other });
        var unrelated = new NewSnapshotRecord { Id = "snap_" + Guid.NewGuid().ToString("N"), SandboxId = other };
        await CreateSnapshotRecordAsync(Db, unrelated);

        var run = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p", SandboxId = sandbox });
        var late = new NewSnapshotRecord { Id = "snap_" + Guid.NewGuid().ToString("N"), SandboxId = sandbox };
        await CreateSnapshotRecordAsync(Db, late);
        await CreateSnapshotRecordAsync(Db, early); // a replay after the claim is still a no-op

        Assert.Equal(run, AsGuid((await Fixture.RowAsync("sandbox_snapshots", early.Id))["run_id"]));
        Assert.Equal(run, AsGuid((await Fixture.RowAsync("sandbox_snapshots", late.Id))["run_id"]));
        Assert.Null((await Fixture.RowAsync("sandbox_snapshots", unrelated.Id))["run_id"]);
        Assert.Equal(2, await Fixture.CountAsync("sandbox_snapshots", "run_id = @r", ("r", run)));
    }

    [Fact]
    public async Task Snapshot_of_a_missing_sandbox_throws_not_found_and_writes_nothing()
    {
        var id = "snap_" + Guid.NewGuid().ToString("N");
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = id, SandboxId = "sbx_gone" }));
        Assert.Equal(("sandboxes", "sbx_gone"), (e.Table, e.Id));
        Assert.Equal(0, await Fixture.CountAsync("sandbox_snapshots", "id = @id", ("id", id)));
    }
}

public sealed class SqliteSnapshotTests(SqliteFixture f) : SnapshotTests<SqliteFixture>(f);
public sealed class PostgreSqlSnapshotTests(PostgreSqlFixture f) : SnapshotTests<PostgreSqlFixture>(f);
