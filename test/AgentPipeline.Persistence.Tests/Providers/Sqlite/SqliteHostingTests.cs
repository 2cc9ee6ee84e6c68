using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>A host with AddPipelineMigrationOnStart on a SQLite path that cannot be opened does not start.</summary>
public sealed class SqliteHostingTests
{
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
}
