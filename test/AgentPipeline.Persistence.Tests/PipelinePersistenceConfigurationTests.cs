using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentPipeline.Persistence.Tests;

/// <summary>Section <c>AgentPipeline</c> of IConfiguration bound by AddPipelinePersistence: every documented key, and bad, unknown or missing keys named.</summary>
public sealed class PipelinePersistenceConfigurationTests
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
    public async Task Configuration_without_a_target_fails_naming_AgentPipeline_Target()
    {
        await using var provider = new ServiceCollection().AddPipelinePersistence(Config(("AgentPipeline:GroupCommit", "true"))).BuildServiceProvider();

        var e = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<PipelineDb>());

        Assert.Equal("AgentPipeline:Target", e.ParamName);
    }
}
