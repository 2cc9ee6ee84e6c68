namespace AgentPipeline.Persistence.Tests;

/// <summary>How a target typed by a user (CLI --db, config) picks its provider.</summary>
public sealed class PipelineDbOptionsTests
{
    [Theory]
    [InlineData("pipeline.db", PipelineProvider.Sqlite, "Data Source=pipeline.db")]
    [InlineData("/var/lib/agent/a=b.db", PipelineProvider.Sqlite, "Data Source=\"/var/lib/agent/a=b.db\"")]
    [InlineData("Host=dir/x.db", PipelineProvider.Sqlite, "Data Source=\"Host=dir/x.db\"")]
    [InlineData("Data Source=runs.db;Cache=Shared", PipelineProvider.Sqlite, "Data Source=runs.db;Cache=Shared")]
    [InlineData("Host=db.internal;Database=pipeline;Username=app", PipelineProvider.PostgreSql, "Host=db.internal;Database=pipeline;Username=app")]
    [InlineData("Database=pipeline; Host=db.internal", PipelineProvider.PostgreSql, "Database=pipeline; Host=db.internal")]
    public void A_target_picks_its_provider_and_connection_string(string target, PipelineProvider provider, string connectionString)
    {
        var options = new PipelineDbOptions().UseTarget(target);
        Assert.Equal(provider, options.Provider);
        Assert.Equal(connectionString, options.ConnectionString);
    }

    [Fact]
    public void A_postgresql_uri_becomes_an_npgsql_connection_string()
    {
        var options = new PipelineDbOptions().UseTarget("postgresql://app:p%40ss@db.internal:5433/pipeline?sslmode=require");
        var b = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
        Assert.Equal(PipelineProvider.PostgreSql, options.Provider);
        Assert.Equal(("db.internal", 5433, "pipeline", "app", "p@ss", Npgsql.SslMode.Require), (b.Host, b.Port, b.Database, b.Username, b.Password, b.SslMode));
    }

    [Theory]
    [InlineData("postgresql://[bad")]
    [InlineData("postgres://user@host/db?sslmode=sometimes")]
    public void A_malformed_uri_is_an_argument_exception_that_does_not_echo_it(string uri)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new PipelineDbOptions().UseTarget(uri));
        Assert.DoesNotContain("user@", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("[bad", e.Message, StringComparison.Ordinal);
    }
}
