using AgentPipeline.Persistence.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>AddPipelinePersistence with a real ServiceCollection and a real host: the container's clock and logging, configuration, migrate at start.</summary>
public abstract class DependencyInjectionTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task The_containers_TimeProvider_stamps_the_rows_and_its_ILoggerFactory_is_the_handles()
    {
        var clock = new ManualClock(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(4560));
        var logs = new CapturingLoggerFactory();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<ILoggerFactory>(logs)
            .AddPipelinePersistence(o => o.UseTarget(Fixture.Target));
        await using var provider = services.BuildServiceProvider();
        var db = provider.GetRequiredService<PipelineDb>();

        var run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "stamped by the container's clock" });

        Assert.Equal(clock.Now, StoreFixture.AsTime((await Fixture.RowAsync("feature_runs", run))["created_at"]));
        Assert.Same(logs, db.LoggerFactory);
    }

    [Fact]
    public async Task Options_set_in_configure_win_over_the_containers()
    {
        var containerClock = new ManualClock(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var ownClock = new ManualClock(new DateTimeOffset(2032, 2, 2, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(containerClock)
            .AddPipelinePersistence(o => { o.UseTarget(Fixture.Target); o.TimeProvider = ownClock; });
        await using var provider = services.BuildServiceProvider();

        var run = await CreateFeatureRunAsync(provider.GetRequiredService<PipelineDb>(), new NewFeatureRun { Prompt = "own clock" });

        Assert.Equal(ownClock.Now, StoreFixture.AsTime((await Fixture.RowAsync("feature_runs", run))["created_at"]));
    }

    [Fact]
    public async Task Configuration_section_AgentPipeline_gives_the_target_and_the_options_the_handle_obeys()
    {
        var configuration = Config(("AgentPipeline:Target", Fixture.Target), ("AgentPipeline:MaxValueBytes", "100"), ("AgentPipeline:GroupCommit", "false"));
        await using var provider = new ServiceCollection().AddPipelinePersistence(configuration).BuildServiceProvider();
        var db = provider.GetRequiredService<PipelineDb>();
        var (run, phase) = await Seed.PhaseAsync(db);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = new string('m', 101) }));

        Assert.Contains("content", e.ParamName ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Fixture.Provider, db.Provider);
        Assert.Equal(0, await Fixture.CountAsync("memory_records", "run_id = @r", ("r", run)));
        await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = new string('m', 90) });
        Assert.Equal(1, await Fixture.CountAsync("memory_records", "run_id = @r", ("r", run)));
    }

    [Fact]
    public async Task Migration_on_start_migrates_a_fresh_database_before_any_hosted_service_starts_and_logs_through_the_hosts_logging()
    {
        var target = await Fixture.CreateDatabaseAsync();
        var logs = new CapturingLoggerFactory();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:AgentPipeline", target)]);
        builder.Services.AddSingleton<ILoggerFactory>(logs);
        // Registered first, so it would start first: it needs the schema.
        builder.Services.AddHostedService<FirstRun>();
        builder.Services.AddPipelinePersistence(builder.Configuration).AddPipelineMigrationOnStart().AddPipelineMigrationOnStart();

        using var host = builder.Build();
        await host.StartAsync();
        var db = host.Services.GetRequiredService<PipelineDb>();
        var first = host.Services.GetServices<IHostedService>().OfType<FirstRun>().Single();

        Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());
        Assert.Equal("started by a hosted service", (await Fixture.QueryAsyncOn(target, $"SELECT prompt FROM {Fixture.T("feature_runs")} WHERE id = '{first.Run:D}'")).Single()[0]);
        Assert.Single(logs.Lines, l => l.Level == LogLevel.Information && l.Text.Contains($"applied {db.GetKnownMigrations().Count} migration(s)", StringComparison.Ordinal));
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s is IHostedLifecycleService);
        await host.StopAsync();
    }

    private sealed class FirstRun(PipelineDb db) : IHostedService
    {
        public Guid Run { get; private set; }

        public async Task StartAsync(CancellationToken cancellationToken) =>
            Run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "started by a hosted service" }, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

public sealed class SqliteDependencyInjectionTests(SqliteFixture f) : DependencyInjectionTests<SqliteFixture>(f);
public sealed class PostgreSqlDependencyInjectionTests(PostgreSqlFixture f) : DependencyInjectionTests<PostgreSqlFixture>(f);
