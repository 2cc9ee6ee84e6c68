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

public sealed class SqliteDependencyInjectionTests(SqliteFixture f) : DependencyInjectionTests<SqliteFixture>(f)
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Every_documented_configuration_key_is_bound()
    {
        var options = new PipelineDbOptions();
        PipelinePersistenceServiceCollectionExtensions.Bind(Config(
            ("AgentPipeline:Target", "postgresql://app@db.internal:5433/pipeline"),
            ("AgentPipeline:SqliteBusyTimeout", "00:00:05"),
            ("AgentPipeline:SqliteMaxConnections", "3"),
            ("AgentPipeline:MaxValueBytes", "1048576"),
            ("AgentPipeline:TransientRetryAttempts", "2"),
            ("AgentPipeline:TransientRetryBaseDelay", "00:00:00.200"),
            ("AgentPipeline:LogPayloads", "true"),
            ("AgentPipeline:GroupCommit", "false"),
            ("AgentPipeline:GroupCommitMaxBatch", "64"),
            ("AgentPipeline:GroupCommitMinWriters", "6"),
            ("agentpipeline:secretredaction:enabled", "false"),
            ("AgentPipeline:SecretRedaction:ExtraNames:0", "x-tenant-key"),
            ("AgentPipeline:SecretRedaction:ExtraNames:1", "session_blob")), options);

        Assert.Equal(PipelineProvider.PostgreSql, options.Provider);
        Assert.Contains("Host=db.internal", options.ConnectionString, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SqliteBusyTimeout);
        Assert.Equal(3, options.SqliteMaxConnections);
        Assert.Equal(1048576, options.MaxValueBytes);
        Assert.Equal(2, options.TransientRetryAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.TransientRetryBaseDelay);
        Assert.True(options.LogPayloads);
        Assert.False(options.GroupCommit);
        Assert.Equal(64, options.GroupCommitMaxBatch);
        Assert.Equal(6, options.GroupCommitMinWriters);
        Assert.False(options.SecretRedaction.Enabled);
        Assert.Equal(["x-tenant-key", "session_blob"], options.SecretRedaction.ExtraNames);
    }

    [Theory]
    [InlineData("AgentPipeline:MaxValueBytes", "lots", "AgentPipeline:MaxValueBytes")]
    [InlineData("AgentPipeline:GroupCommitMinWriters", "1", "AgentPipeline:GroupCommitMinWriters")]
    [InlineData("AgentPipeline:SqliteBusyTimeout", "-00:00:01", "AgentPipeline:SqliteBusyTimeout")]
    [InlineData("AgentPipeline:LogPayloads", "yes", "AgentPipeline:LogPayloads")]
    [InlineData("AgentPipeline:GroupComit", "false", "AgentPipeline:GroupComit")]
    [InlineData("AgentPipeline:SecretRedaction:Enable", "false", "AgentPipeline:SecretRedaction:Enable")]
    public async Task A_bad_or_unknown_key_fails_on_first_resolve_naming_the_key_without_the_password(string key, string value, string named)
    {
        var configuration = Config(("AgentPipeline:Target", "Host=127.0.0.1;Database=p;Username=app;Password=apppass"), (key, value));
        await using var provider = new ServiceCollection().AddPipelinePersistence(configuration).BuildServiceProvider();

        var e = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<PipelineDb>());

        Assert.Equal(named, e.ParamName);
        Assert.DoesNotContain("apppass", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_at_start_stops_the_host_from_starting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var path = Path.Combine(Path.GetTempPath(), "agentpipe-no-such-folder-" + Guid.NewGuid().ToString("N"), "p.db");
        builder.Services.AddPipelinePersistence(o => o.UseSqlite(path)).AddPipelineMigrationOnStart();
        builder.Services.AddHostedService<MustNotStart>();
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<PipelineDatabaseException>(() => host.StartAsync());

        Assert.Contains("cannot be opened", e.Message, StringComparison.Ordinal);
        Assert.False(host.Services.GetServices<IHostedService>().OfType<MustNotStart>().Single().Started);
    }

    private sealed class MustNotStart : IHostedService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task Configuration_without_a_target_fails_naming_AgentPipeline_Target()
    {
        await using var provider = new ServiceCollection().AddPipelinePersistence(Config(("AgentPipeline:GroupCommit", "true"))).BuildServiceProvider();

        var e = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<PipelineDb>());

        Assert.Equal("AgentPipeline:Target", e.ParamName);
    }
}

public sealed class PostgreSqlDependencyInjectionTests(PostgreSqlFixture f) : DependencyInjectionTests<PostgreSqlFixture>(f);
