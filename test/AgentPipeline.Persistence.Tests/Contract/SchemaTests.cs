using System.Text.Json;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>The tables, columns and enum strings of data-model.md, and migrations that can run again.</summary>
public abstract class SchemaTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private const string Tokens = "input_tokens output_tokens total_tokens input_tokens_no_cache_tokens input_tokens_cache_read_tokens input_tokens_cache_write_tokens output_tokens_text_tokens output_tokens_reasoning_tokens usage_raw";

    // Copied by hand from data-model.md: the contract, independent of the code under test.
    public static TheoryData<string, string> SpecColumns => new()
    {
        { "sandboxes", "id run_id status runtime memory vcpus region cwd timeout network_policy interactive_port routes source_snapshot_id source_type source_url source_revision source_depth requested_at created_at started_at requested_stop_at stopped_at aborted_at snapshotted_at duration" },
        { "sandbox_snapshots", "id sandbox_id run_id status size_bytes region expires_at created_at" },
        { "feature_runs", "id prompt sandbox_id github_repo_url github_branch current_phase created_at completed_at" },
        { "phase_results", "id run_id phase status output started_at completed_at" },
        { "agent_invocations", "id run_id phase_result_id parent_invocation_id agent_type model_provider model_id system_prompt input_messages finish_reason raw_finish_reason output_text output_reasoning_text output_reasoning output_content output_files output_sources response_messages response_id response_model_id response_headers response_body response_timestamp provider_metadata warnings request_body step_count " + Tokens + " started_at completed_at" },
        { "agent_steps", "id run_id invocation_id step_number model_provider model_id function_id metadata text reasoning_text reasoning content files sources finish_reason raw_finish_reason " + Tokens + " warnings request_body response_id response_model_id response_headers response_body response_timestamp provider_metadata created_at" },
        { "tool_calls", "id run_id step_id invocation_id tool_call_id tool_name input output output_type is_dynamic is_invalid error is_preliminary is_provider_executed title provider_metadata created_at" },
        { "memory_records", "id run_id phase_result_id invocation_id phase kind content created_at" },
        { "cta_events", "id run_id phase_result_id invocation_id tool_call_id kind request_message request_prompt request_placeholder request_options response_approved response_reason response_text response_selected_id requested_at responded_at timed_out" },
    };

    [Theory]
    [MemberData(nameof(SpecColumns))]
    public async Task Every_table_has_every_column_of_the_data_model(string table, string columns)
    {
        var actual = await ColumnsAsync(table);
        var missing = columns.Split(' ').Except(actual).ToList();
        Assert.True(missing.Count == 0, $"{table} lacks {string.Join(", ", missing)}");
    }

    private async Task<HashSet<string>> ColumnsAsync(string table)
    {
        var rows = Fixture.Provider == PipelineProvider.Sqlite
            ? await Fixture.QueryAsync("SELECT name AS c FROM pragma_table_info(@t)", ("t", table))
            : await Fixture.QueryAsync("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'agent' AND table_name = @t", ("t", table));
        return [.. rows.Select(r => (string)r["c"]!)];
    }

    [Fact]
    public async Task Enum_values_are_stored_as_the_exact_strings_of_the_spec()
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, Status = SandboxStatus.Snapshotting, SourceType = SandboxSourceType.Tarball });
        var meta = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, ParentInvocationId = invocation, AgentType = AgentType.MetaJudge });
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = meta, StepNumber = 0, FinishReason = FinishReason.ContentFilter });
        var denied = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t1", ToolName = "bash", OutputType = ToolOutputType.ExecutionDenied });
        var errorJson = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t2", ToolName = "grep", OutputType = ToolOutputType.ErrorJson });
        await CompleteAgentInvocationAsync(Db, meta, new AgentInvocationCompletion { FinishReason = FinishReason.ToolCalls });
        await UpdateFeatureRunPhaseAsync(Db, run, FeaturePhase.Pr);

        async Task<object?> Stored(string table, string column, object id) => (await Fixture.RowAsync(table, id))[column];
        Assert.Equal("meta_judge", await Stored("agent_invocations", "agent_type", meta));
        Assert.Equal("tool-calls", await Stored("agent_invocations", "finish_reason", meta));
        Assert.Equal("content-filter", await Stored("agent_steps", "finish_reason", step));
        Assert.Equal("execution-denied", await Stored("tool_calls", "output_type", denied));
        Assert.Equal("error-json", await Stored("tool_calls", "output_type", errorJson));
        Assert.Equal("snapshotting", await Stored("sandboxes", "status", sandbox));
        Assert.Equal("tarball", await Stored("sandboxes", "source_type", sandbox));
        Assert.Equal("pr", await Stored("feature_runs", "current_phase", run));
        Assert.Equal("running", await Stored("phase_results", "status", phase));
    }

    [Fact]
    public async Task The_database_refuses_an_enum_string_that_is_not_in_the_spec()
    {
        var (_, _, invocation) = await Seed.InvocationAsync(Db);
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0 });

        var e = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            Fixture.QueryAsync($"UPDATE {Fixture.T("agent_steps")} SET finish_reason = @v WHERE id = @id", ("v", "ContentFilter"), ("id", step)));

        Assert.Contains("ck_agent_steps_finish_reason", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Null((await Fixture.RowAsync("agent_steps", step))["finish_reason"]);
    }

    [Fact]
    public async Task Migrating_an_already_migrated_database_changes_nothing()
    {
        var run = await Seed.RunAsync(Db);
        var schemaBefore = await SchemaAsync(Fixture.Target);
        var applied = await Db.GetAppliedMigrationsAsync();

        await Db.MigrateAsync();
        await using (var second = PipelineDb.Open(Fixture.Target))
        {
            await second.MigrateAsync();
        }

        Assert.Equal(Db.GetKnownMigrations(), applied);
        Assert.Equal(applied, await Db.GetAppliedMigrationsAsync());
        Assert.Equal(schemaBefore, await SchemaAsync(Fixture.Target));
        Assert.Equal("Add dark mode", (await Fixture.RowAsync("feature_runs", run))["prompt"]);
    }

    [Fact]
    public async Task Migrate_creates_all_nine_tables_in_an_empty_database()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target);
        Assert.Empty(await db.GetAppliedMigrationsAsync());

        await db.MigrateAsync();

        var tables = await SchemaAsync(target);
        foreach (var table in new[] { "sandboxes", "sandbox_snapshots", "feature_runs", "phase_results", "agent_invocations", "agent_steps", "tool_calls", "memory_records", "cta_events" })
        {
            Assert.Contains(tables, t => t.StartsWith(table + ":", StringComparison.Ordinal));
        }
        Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());
    }

    /// <summary>Every table, column, type, index and constraint, as one sorted list of lines.</summary>
    private async Task<List<string>> SchemaAsync(string target)
    {
        await using var connection = Fixture.OpenRawConnection(target);
        await using var command = connection.CreateCommand();
        command.CommandText = Fixture.Provider == PipelineProvider.Sqlite
            ? "SELECT m.name || ':' || m.type || ':' || COALESCE(m.sql, '') FROM sqlite_master m WHERE m.name NOT LIKE 'sqlite_%'"
            : """
              SELECT table_name || ':' || column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns WHERE table_schema = 'agent'
              UNION ALL SELECT tablename || ':' || indexdef FROM pg_indexes WHERE schemaname = 'agent'
              UNION ALL SELECT conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'agent'::regnamespace
              """;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

public sealed class SqliteSchemaTests(SqliteFixture f) : SchemaTests<SqliteFixture>(f);
public sealed class PostgreSqlSchemaTests(PostgreSqlFixture f) : SchemaTests<PostgreSqlFixture>(f);
