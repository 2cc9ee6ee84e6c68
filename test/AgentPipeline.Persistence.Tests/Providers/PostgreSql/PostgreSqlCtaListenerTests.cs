using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Npgsql;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>
/// How <see cref="PipelinePersistence.WaitForCtaResolutionAsync"/> learns of answers on PostgreSQL:
/// the resolving statements notify channel <c>agentpipe_cta</c> as they commit, one listener
/// connection per handle serves every waiter, and a listener whose connection is killed mid-wait
/// (pg_terminate_backend) connects again without losing an answer given meanwhile.
/// </summary>
public sealed class PostgreSqlCtaListenerTests(PostgreSqlFixture fixture) : IClassFixture<PostgreSqlFixture>
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static async Task<Guid> CtaAsync(PipelineDb db, Guid run) =>
        await CreateCtaEventAsync(db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Merge?" });

    [Fact]
    public async Task Answering_timing_out_and_failing_the_run_notify_agentpipe_cta_with_the_cta_id()
    {
        await using var db = PipelineDb.Open(fixture.Target);
        var run = await Seed.RunAsync(db);
        var (answered, timedOut, failed) = (await CtaAsync(db, run), await CtaAsync(db, run), await CtaAsync(db, run));
        await using var raw = new NpgsqlConnection(fixture.Target);
        await raw.OpenAsync();
        var payloads = new List<(string Channel, string Payload)>();
        raw.Notification += (_, e) => payloads.Add((e.Channel, e.Payload));
        await using (var listen = new NpgsqlCommand("LISTEN agentpipe_cta", raw))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await CompleteCtaEventAsync(db, answered, CtaResponse.Approve());
        await raw.WaitAsync(TimeSpan.FromMinutes(1));
        await TimeoutCtaEventAsync(db, timedOut);
        await raw.WaitAsync(TimeSpan.FromMinutes(1));
        await FailFeatureRunAsync(db, run);
        await raw.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([("agentpipe_cta", answered.ToString()), ("agentpipe_cta", timedOut.ToString()), ("agentpipe_cta", failed.ToString())], payloads);
    }

    [Fact]
    public async Task One_listener_connection_serves_every_waiter_and_stops_when_none_remain()
    {
        const int waiters = 50;
        await using var db = PipelineDb.Open(fixture.Target);
        await using var human = PipelineDb.Open(fixture.Target);
        var run = await Seed.RunAsync(db);
        var ctas = new List<Guid>();
        for (var i = 0; i < waiters; i++)
        {
            ctas.Add(await CtaAsync(db, run));
        }
        var asleep = CtaWaitTests<PostgreSqlFixture>.SleepingAsync(db, waiters);

        var waits = ctas.Select(cta => WaitForCtaResolutionAsync(db, cta, Day)).ToArray();
        var pid = await db.CtaWatch.ListeningAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        await CtaWaitTests<PostgreSqlFixture>.Guard(asleep);
        var listening = await fixture.QueryAsync(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN agentpipe_cta'");
        Assert.Equal(pid, Convert.ToInt32(Assert.Single(listening)["pid"], System.Globalization.CultureInfo.InvariantCulture));

        foreach (var cta in ctas)
        {
            await CompleteCtaEventAsync(human, cta, CtaResponse.Reject(cta.ToString()));
        }
        var resolutions = await CtaWaitTests<PostgreSqlFixture>.Guard(Task.WhenAll(waits));

        Assert.Equal(ctas.Select(c => CtaResponse.Reject(c.ToString())), resolutions.Select(r => r.Response));
        Assert.Equal(0, db.CtaWatch.Count);
        Assert.False(db.CtaWatch.Watching);
    }

    [Fact]
    public async Task A_listener_killed_mid_wait_reconnects_and_loses_no_answer()
    {
        await using var db = PipelineDb.Open(fixture.Target);
        await using var human = PipelineDb.Open(fixture.Target);
        var run = await Seed.RunAsync(db);
        var (whileDown, afterReconnect) = (await CtaAsync(db, run), await CtaAsync(db, run));
        db.CtaWatch.SafetyPollInterval = Timeout.InfiniteTimeSpan; // only the re-check after reconnecting can find the first answer
        var asleep = CtaWaitTests<PostgreSqlFixture>.SleepingAsync(db, 2);
        var waitWhileDown = WaitForCtaResolutionAsync(db, whileDown, Day);
        var waitAfterReconnect = WaitForCtaResolutionAsync(db, afterReconnect, Day);
        var pid = await db.CtaWatch.ListeningAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        await CtaWaitTests<PostgreSqlFixture>.Guard(asleep);

        // Killed, then answered at once: the listener is down or reconnecting when the answer commits.
        var killed = await fixture.QueryAsync("SELECT pg_terminate_backend(@pid) AS done", ("pid", pid));
        Assert.Equal(true, killed[0]["done"]);
        await CompleteCtaEventAsync(human, whileDown, CtaResponse.Approve("while down"));
        Assert.Equal(CtaResponse.Approve("while down"), (await CtaWaitTests<PostgreSqlFixture>.Guard(waitWhileDown)).Response);

        // Listening again on a new backend: the next answer arrives by notification.
        var newPid = await db.CtaWatch.ListeningAsync(pid, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.NotEqual(pid, newPid);
        await CompleteCtaEventAsync(human, afterReconnect, CtaResponse.Approve("after"));
        Assert.Equal(CtaResponse.Approve("after"), (await CtaWaitTests<PostgreSqlFixture>.Guard(waitAfterReconnect)).Response);
    }
}
