using AgentPipeline.Persistence.Tests.Infrastructure;
using Npgsql;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>
/// Least privilege, as README's "PostgreSQL roles" section documents: an owner role migrates; the
/// application runs as a role with only DML rights on schema agent, which is enough for all 20
/// functions and not enough to DROP or ALTER anything.
/// </summary>
public sealed class PostgreSqlPrivilegeTests
{
    [Fact]
    public async Task A_dml_only_role_runs_all_20_functions_and_cannot_drop_or_alter()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var (owner, app) = ("agent_owner_" + suffix, "agent_app_" + suffix);
        var database = await PostgresCluster.Shared.CreateDatabaseAsync();
        var dbName = new NpgsqlConnectionStringBuilder(database).Database!;
        await ExecuteAsync(database,
            // Identifiers cannot be parameters; these are made here from a Guid.
            $"CREATE ROLE {owner} LOGIN", $"CREATE ROLE {app} LOGIN", $"GRANT CREATE, CONNECT ON DATABASE \"{dbName}\" TO {owner}",
            $"GRANT CONNECT ON DATABASE \"{dbName}\" TO {app}");
        var asOwner = new NpgsqlConnectionStringBuilder(database) { Username = owner }.ConnectionString;
        var asApp = new NpgsqlConnectionStringBuilder(database) { Username = app }.ConnectionString;

        await using (var migrate = PipelineDb.Open(asOwner))
        {
            await migrate.MigrateAsync();
        }
        await ExecuteAsync(asOwner,
            $"GRANT USAGE ON SCHEMA agent TO {app}",
            $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA agent TO {app}",
            $"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA agent TO {app}");

        await using var db = PipelineDb.Open(asApp);
        await RunAllTwentyAsync(db);

        Assert.Equal(1L, await CountAsync(database, "SELECT COUNT(*) FROM agent.feature_runs WHERE current_phase = 'completed' AND sandbox_id = 'sbx_priv'"));
        Assert.Equal(1L, await CountAsync(database, "SELECT COUNT(*) FROM agent.feature_runs WHERE current_phase = 'failed'"));
        Assert.Equal(1L, await CountAsync(database, "SELECT COUNT(*) FROM agent.sandboxes WHERE status = 'stopped' AND duration IS NOT NULL AND run_id IS NOT NULL"));
        Assert.Equal(2L, await CountAsync(database, "SELECT COUNT(*) FROM agent.cta_events WHERE responded_at IS NOT NULL"));
        Assert.Equal(1L, await CountAsync(database, "SELECT COUNT(*) FROM agent.tool_calls WHERE output IS NOT NULL AND output_type = 'text'"));
        Assert.Equal(1L, await CountAsync(database, "SELECT COUNT(*) FROM agent.memory_records"));
        foreach (var ddl in new[] { "DROP TABLE agent.feature_runs", "ALTER TABLE agent.feature_runs ADD COLUMN x int", "TRUNCATE agent.cta_events", "CREATE TABLE agent.evil (id int)", "DROP SCHEMA agent CASCADE" })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(asApp, ddl));
            Assert.Equal("42501", e.SqlState); // insufficient_privilege
        }
        Assert.Equal(2L, await CountAsync(database, "SELECT COUNT(*) FROM agent.feature_runs"));
    }

    private static async Task RunAllTwentyAsync(PipelineDb db)
    {
        var sandbox = "sbx_priv";
        await CreateSandboxRecordAsync(db, new NewSandboxRecord { Id = sandbox });
        await UpdateSandboxStatusAsync(db, sandbox, SandboxStatus.Running);
        await CreateSnapshotRecordAsync(db, new NewSnapshotRecord { Id = "snap_priv", SandboxId = sandbox });
        var run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "least privilege", SandboxId = sandbox });
        await UpdateFeatureRunPhaseAsync(db, run, FeaturePhase.Analysis);
        var phase = await CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Analysis });
        var invocation = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Orchestrator });
        var step = await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0 });
        var toolCall = await CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "read" });
        await CompleteToolCallAsync(db, toolCall, new ToolCallCompletion { Output = Seed.Json("\"done\""), OutputType = ToolOutputType.Text });
        await CompleteAgentInvocationAsync(db, invocation, new AgentInvocationCompletion { FinishReason = FinishReason.Stop });
        await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "ok" });
        Assert.Single(await GetMemoryRecordsAsync(db, run));
        var approval = await CreateCtaEventAsync(db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "ok?" });
        await CompleteCtaEventAsync(db, approval, CtaResponse.Approve());
        var text = await CreateCtaEventAsync(db, new NewCtaEvent { RunId = run, Kind = CtaKind.Text, RequestPrompt = "why?" });
        await TimeoutCtaEventAsync(db, text);
        await PassPhaseResultAsync(db, phase, null);
        var failing = await CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Judging });
        await FailPhaseResultAsync(db, failing);
        await CompleteFeatureRunAsync(db, run);
        var other = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "doomed" });
        await FailFeatureRunAsync(db, other);
        await UpdateSandboxStatusAsync(db, sandbox, SandboxStatus.Stopped);
    }

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
