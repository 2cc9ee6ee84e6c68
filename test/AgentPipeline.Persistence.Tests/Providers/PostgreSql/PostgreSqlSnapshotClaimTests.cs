using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>On PostgreSQL a snapshot recorded while a run claims its sandbox waits for the claim (a share lock on the sandbox row).</summary>
public sealed class PostgreSqlSnapshotClaimTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
    [Fact]
    public async Task A_snapshot_recorded_while_a_run_claims_its_sandbox_waits_for_the_claim_and_copies_its_run_id()
    {
        // Without the share lock the snapshot would read the sandbox's last committed run_id (none)
        // while the claim's transaction, which fills earlier snapshots, cannot see the new one yet.
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox });
        var run = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p" });
        var app = "agentpipe-snapshot-claim-" + Guid.NewGuid().ToString("N")[..8]; // this test's backends only, on any server
        await using var db = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(
            new Npgsql.NpgsqlConnectionStringBuilder(Fixture.Target) { ApplicationName = app }.ConnectionString));
        await using var claim = (Npgsql.NpgsqlConnection)Fixture.OpenRawConnection();
        await using var transaction = await claim.BeginTransactionAsync();
        await using (var update = new Npgsql.NpgsqlCommand("UPDATE agent.sandboxes SET run_id = @run WHERE id = @id", claim, transaction))
        {
            update.Parameters.AddWithValue("run", run);
            update.Parameters.AddWithValue("id", sandbox);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        var id = "snap_" + Guid.NewGuid().ToString("N");

        var snapshot = Task.Run(() => CreateSnapshotRecordAsync(db, new NewSnapshotRecord { Id = id, SandboxId = sandbox }));

        // Its backend waits for the claim's row lock (observed in pg_stat_activity, 60 s at most).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(snapshot.IsCompleted, "the snapshot was written while the claim was still open");
            var waiting = await Fixture.QueryAsync(
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = @app AND datname = current_database() AND wait_event_type = 'Lock'",
                ("app", app));
            if (Convert.ToInt64(waiting[0]["n"], System.Globalization.CultureInfo.InvariantCulture) == 1)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the snapshot's backend never waited for the claim's lock");
            await Task.Delay(20);
        }
        await transaction.CommitAsync();
        await snapshot.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(run, AsGuid((await Fixture.RowAsync("sandbox_snapshots", id))["run_id"]));
    }
}
