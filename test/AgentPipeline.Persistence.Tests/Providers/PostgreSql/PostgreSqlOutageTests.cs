using Microsoft.EntityFrameworkCore;
using AgentPipeline.Persistence.Tests.Infrastructure;
using AgentPipeline.Persistence.TestWorker;
using Npgsql;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>
/// PostgreSQL drops our connections in the middle of a workload (pg_terminate_backend, as a
/// failover or restart does): the store retries the transient failures by itself, and when the
/// workload ends nothing is lost and nothing is duplicated. The retries are logged without the
/// connection's password or any payload.
/// </summary>
public sealed class PostgreSqlOutageTests(PostgreSqlFixture fixture) : IClassFixture<PostgreSqlFixture>
{
    private const string Password = "hunter2-do-not-log";
    private const int Writers = 8;
    private const int Writes = 400;
    private const int Outages = 5;

    [Fact]
    public async Task Terminated_connections_mid_workload_are_retried_and_nothing_is_lost_or_duplicated()
    {
        const int seed = 5150;
        var logs = new CapturingLoggerFactory();
        var target = new NpgsqlConnectionStringBuilder(fixture.Target) { ApplicationName = "agentpipe-outage", Password = Password, MaxPoolSize = 4 }.ConnectionString;
        await using var db = PipelineDb.Open(new PipelineDbOptions { LoggerFactory = logs }.UsePostgreSql(target));
        // Each retry is also counted on the public meter (other PostgreSQL tests may add theirs).
        var retries = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AgentPipeline.Persistence" && instrument.Name == "agentpipeline.persistence.retries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "db.system.name" && (string?)tag.Value == "postgresql")
                {
                    Interlocked.Add(ref retries, value);
                }
            }
        });
        listener.Start();
        await Workload.SetUpRunAsync(db, seed);
        var loads = Enumerable.Range(0, Writers).Select(w => new Workload(seed, w, Writes)).ToList();
        foreach (var load in loads)
        {
            await load.SetUpWriterAsync(db);
        }
        var done = 0;
        var outageDue = new SemaphoreSlim(0);
        var terminated = 0L;
        var killer = Task.Run(async () =>
        {
            for (var outage = 0; outage < Outages; outage++)
            {
                await outageDue.WaitAsync();
                var rows = await fixture.QueryAsync(
                    "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'agentpipe-outage'");
                terminated += Convert.ToInt64(rows[0]["n"], System.Globalization.CultureInfo.InvariantCulture);
            }
        });

        await Task.WhenAll(loads.Select(load => Task.Run(() => load.RunAsync(db, acknowledged: _ =>
        {
            // An outage after every 1/(Outages+1) of the workload, triggered by progress, not time.
            if (Interlocked.Increment(ref done) % (Writers * Writes / (Outages + 1)) == 0)
            {
                outageDue.Release();
            }
        }))));
        await killer;

        var run = Workload.RunId(seed);
        Assert.True(terminated >= Outages, $"only {terminated} backends were terminated");
        Assert.Equal(Writers * loads[0].Steps, await fixture.CountAsync("agent_steps", "run_id = @r", ("r", run)));
        Assert.Equal(Writers * loads[0].ToolCalls, await fixture.CountAsync("tool_calls", "run_id = @r", ("r", run)));
        Assert.Equal(Writers * loads[0].Memories, await fixture.CountAsync("memory_records", "run_id = @r", ("r", run)));
        var warnings = logs.Lines.Where(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Contains("retrying", w, StringComparison.Ordinal));
        Assert.True(Interlocked.Read(ref retries) >= warnings.Count, $"{retries} retries measured for {warnings.Count} logged");
        Assert.All(logs.Lines, l =>
        {
            Assert.DoesNotContain(Password, l.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("learned fact", l.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("TODO", l.Text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task With_log_payloads_on_the_provider_message_is_logged_but_never_a_password_or_a_secret_of_the_payload()
    {
        // LogPayloads adds the provider's message to each retry warning. The connection's password still never
        // appears, and the payload reaches the database (and so any message quoting it) only redacted.
        var apiKey = "sk-proj-" + "Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6Hf5Jg0Ts";
        var logs = new CapturingLoggerFactory();
        var target = new NpgsqlConnectionStringBuilder(fixture.Target) { ApplicationName = "agentpipe-logpayloads", Password = Password }.ConnectionString;
        await using var db = PipelineDb.Open(new PipelineDbOptions { LoggerFactory = logs, LogPayloads = true }.UsePostgreSql(target));
        var (_, _, invocation) = await Seed.InvocationAsync(db); // leaves an idle pooled connection, killed next
        await fixture.QueryAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'agentpipe-logpayloads'");

        await PipelinePersistence.CompleteAgentInvocationAsync(db, invocation, new AgentInvocationCompletion
        {
            OutputText = "done", RequestBody = Seed.Json($$"""{"model":"gpt-5","api_key":"{{apiKey}}"}"""),
            ResponseHeaders = Seed.Json($$"""{"Authorization":"Bearer {{apiKey}}"}"""),
        });

        var warnings = logs.Lines.Where(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.NotEmpty(warnings);
        // The payload format: "… (code): provider message; retrying …", which the default format leaves out.
        Assert.Contains(warnings, w => w.Contains("): ", StringComparison.Ordinal) && w.Contains("retrying", StringComparison.Ordinal));
        Assert.All(logs.Lines, l =>
        {
            Assert.DoesNotContain(Password, l.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(apiKey, l.Text, StringComparison.Ordinal);
        });
        var row = await fixture.RowAsync("agent_invocations", invocation);
        Assert.Equal("done", row["output_text"]);
        Assert.DoesNotContain(apiKey, string.Join("\n", row.Values.Select(v => v?.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_retries_off_a_dropped_connection_surfaces_as_a_transient_typed_exception()
    {
        var target = new NpgsqlConnectionStringBuilder(fixture.Target) { ApplicationName = "agentpipe-noretry" }.ConnectionString;
        await using var db = PipelineDb.Open(new PipelineDbOptions { TransientRetryAttempts = 1 }.UsePostgreSql(target));
        var run = await Seed.RunAsync(db);
        await fixture.QueryAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'agentpipe-noretry'");

        var e = await Assert.ThrowsAsync<PipelineDatabaseException>(() => PipelinePersistence.UpdateFeatureRunPhaseAsync(db, run, FeaturePhase.Judging));

        Assert.True(e.IsTransient);
        await PipelinePersistence.UpdateFeatureRunPhaseAsync(db, run, FeaturePhase.Judging);
        Assert.Equal("judging", (await fixture.RowAsync("feature_runs", run))["current_phase"]);
    }

    [Fact]
    public async Task A_connection_dropped_under_an_ef_core_read_surfaces_as_a_transient_typed_exception_too()
    {
        // EF Core's PostgreSQL execution strategy wraps a transient error in an InvalidOperationException;
        // the CLI's EF reads must still report it as the store's own.
        var target = new NpgsqlConnectionStringBuilder(fixture.Target) { ApplicationName = "agentpipe-efread" }.ConnectionString;
        await using var db = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(target));
        const string kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'agentpipe-efread'";
        Assert.NotEmpty(await db.GetAppliedMigrationsAsync()); // an idle pooled connection, then killed
        await fixture.QueryAsync(kill);

        // The migrations history is the store's own read (not EF Core's): like every call, it is
        // repeated on a fresh connection when the pooled one was dropped.
        Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());

        Assert.NotEmpty(await db.GetAppliedMigrationsAsync());
        await fixture.QueryAsync(kill);
        await using (var context = db.CreateDbContext())
        {
            // A LINQ read, as the CLI makes them: what EF throws, found and translated the way the CLI does.
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => context.FeatureRuns.CountAsync());
            var provider = AgentPipeline.Persistence.Internal.Dialect.ProviderError(thrown);
            Assert.NotNull(provider);
            Assert.True(Assert.IsType<PipelineDatabaseException>(db.Dialect.Translate(provider)).IsTransient);
        }
        Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());
    }
}
