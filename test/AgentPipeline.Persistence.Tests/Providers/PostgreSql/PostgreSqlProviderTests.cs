using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.PostgreSql;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Npgsql;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>
/// What is by nature PostgreSQL's: how its own errors are translated (an unreachable server), its
/// pooled connections, the schema <c>agent</c> and <c>postgresql://</c> targets.
/// </summary>
public sealed class PostgreSqlProviderTests(PostgreSqlFixture fixture) : IClassFixture<PostgreSqlFixture>
{
    [Fact]
    public async Task An_unreachable_server_surfaces_as_a_transient_typed_exception_without_the_password()
    {
        // A port bound here and never listened on: connecting is refused, and no other process (a test cluster looking
        // for a free port) can take it while the test runs.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var closed = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
        await using var db = PipelineDb.Open(new PipelineDbOptions { TransientRetryAttempts = 2 }.UsePostgreSql($"Host=127.0.0.1;Port={closed};Username=app;Password=s3cret-pw;Timeout=2"));

        var e = await Assert.ThrowsAsync<PipelineDatabaseException>(() => CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "p" }));

        Assert.True(e.IsTransient);
        Assert.IsAssignableFrom<NpgsqlException>(e.InnerException);
        // Refused, not timed out or answered by something else on the port.
        var refused = false;
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            refused |= inner is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };
        }
        Assert.True(refused, e.ToString());
        Assert.DoesNotContain("s3cret-pw", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pooled_connections_skip_npgsqls_reset_unless_the_connection_string_asks_for_it()
    {
        static bool NoReset(PipelineDb db) =>
            new NpgsqlConnectionStringBuilder(((PostgreSqlDialect)db.Dialect).DataSource.ConnectionString).NoResetOnClose;
        await using var byDefault = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(fixture.Target));
        await using var asked = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(fixture.Target + ";No Reset On Close=false"));
        await using var askedOtherSpelling = PipelineDb.Open(new PipelineDbOptions().UsePostgreSql(fixture.Target + ";noresetonclose=false"));

        Assert.True(NoReset(byDefault));
        Assert.False(NoReset(asked));
        Assert.False(NoReset(askedOtherSpelling));
        // Calls on a connection reused without reset see each other's committed rows and nothing else.
        var run = await CreateFeatureRunAsync(byDefault, new NewFeatureRun { Prompt = "reused" });
        var conflict = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            CreateFeatureRunAsync(byDefault, new NewFeatureRun { Id = run, Prompt = "other" }));
        Assert.Contains("prompt", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("reused", (await fixture.RowAsync("feature_runs", run))["prompt"]);
    }

    [Fact]
    public async Task Tables_live_in_schema_agent()
    {
        var rows = await fixture.QueryAsync("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'agent' AND table_type = 'BASE TABLE'");
        var tables = rows.Select(r => (string)r["t"]!).ToHashSet();
        Assert.Superset(new HashSet<string> { "sandboxes", "sandbox_snapshots", "feature_runs", "phase_results", "agent_invocations", "agent_steps", "tool_calls", "memory_records", "cta_events" }, tables);
        Assert.Empty(await fixture.QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'feature_runs'"));
    }

    [Fact]
    public async Task A_postgresql_uri_opens_the_same_database()
    {
        var b = new NpgsqlConnectionStringBuilder(fixture.Target);
        await using var db = PipelineDb.Open($"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}");
        Assert.Equal(PipelineProvider.PostgreSql, db.Provider);
        var run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "via uri" });
        Assert.Equal("via uri", (await fixture.RowAsync("feature_runs", run))["prompt"]);
    }
}
