using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>
/// The migration <c>JsonColumnsKeepTheirText</c> on a database that already holds jsonb values:
/// every JSON column becomes json, stored values stay readable, each column keeps its compression
/// setting (lz4 where the server has it), and its Down turns them back into jsonb the same way.
/// (SQLite stores JSON as TEXT already: no migration there.)
/// </summary>
public sealed class PostgreSqlJsonMigrationTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
    private const string Previous = "20261207120000_TokenCounts64Bit";
    private const string JsonMigration = "20261207150000_JsonColumnsKeepTheirText";

    /// <summary>Every JSON column of data-model.md, 31 in all.</summary>
    private static readonly string[] JsonColumns =
    [
        "sandboxes.network_policy", "sandboxes.routes", "phase_results.output",
        "agent_invocations.input_messages", "agent_invocations.output_content", "agent_invocations.output_files",
        "agent_invocations.output_reasoning", "agent_invocations.output_sources", "agent_invocations.provider_metadata",
        "agent_invocations.request_body", "agent_invocations.response_body", "agent_invocations.response_headers",
        "agent_invocations.response_messages", "agent_invocations.usage_raw", "agent_invocations.warnings",
        "agent_steps.content", "agent_steps.files", "agent_steps.metadata", "agent_steps.provider_metadata",
        "agent_steps.reasoning", "agent_steps.request_body", "agent_steps.response_body", "agent_steps.response_headers",
        "agent_steps.sources", "agent_steps.usage_raw", "agent_steps.warnings",
        "tool_calls.error", "tool_calls.input", "tool_calls.output", "tool_calls.provider_metadata",
        "cta_events.request_options",
    ];

    [Fact]
    public async Task Jsonb_columns_become_json_keeping_values_and_compression_and_Down_turns_them_back()
    {
        var lz4 = (await Fixture.QueryAsync(
            "SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'")).SingleOrDefault()?["lz4"] is true;
        var target = await Fixture.CreateDatabaseAsync();
        await MigrateToAsync(target, Previous);
        Assert.All(await ColumnsAsync(target), c => Assert.Equal(("jsonb", lz4 ? "l" : ""), (c.Type, c.Method)));

        // A value written while the columns were jsonb: stored with sorted keys and rewritten numbers,
        // and one large enough to be compressed.
        var log = string.Concat(Enumerable.Repeat("PASS src/orders/export.test.ts (4.2 s) exports CSV\n", 400));
        await ExecuteOnAsync(target,
            $$"""
            INSERT INTO agent.sandboxes (id, status, created_at, network_policy, routes)
            VALUES ('sbx_old', 'pending', now(), '{"b":1,"a":-3.128163257315464E-07}'::jsonb, '[{"url":"{{log.Replace("\n", "\\n", StringComparison.Ordinal)}}"}]'::jsonb)
            """);

        await using (var db = PipelineDb.Open(target))
        {
            await db.MigrateAsync();
            Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());

            // Every JSON column is json now, with its compression setting as before.
            var columns = await ColumnsAsync(target);
            Assert.Equal(JsonColumns.Order(StringComparer.Ordinal), columns.Select(c => c.Name).Order(StringComparer.Ordinal));
            Assert.All(columns, c => Assert.True((c.Type, c.Method) == ("json", lz4 ? "l" : ""), $"{c.Name}: {c.Type} '{c.Method}'"));

            // The old value is readable, as the text jsonb had made of it; the large one was rewritten with the column's compression.
            Assert.Equal("""{"a": -0.0000003128163257315464, "b": 1}""", await RawTextAsync(target, "network_policy", "sbx_old"));
            var routes = (System.Text.Json.JsonElement)(await StoredValue.JsonAsync(db, "sandboxes", "sbx_old", "routes"))!;
            Assert.Equal(log, routes[0].GetProperty("url").GetString());
            Assert.Equal(lz4 ? "lz4" : "pglz", await CompressionAsync(target, "sbx_old"));

            // A new value keeps its text.
            await CreateSandboxRecordAsync(db, new NewSandboxRecord { Id = "sbx_new", NetworkPolicy = Json("""{"b":1,"a":1E+2}""") });
            Assert.Equal("""{"b":1,"a":1E+2}""", await RawTextAsync(target, "network_policy", "sbx_new"));
        }

        // Down: back to jsonb, values and compression kept.
        await MigrateToAsync(target, Previous);
        Assert.All(await ColumnsAsync(target), c => Assert.True((c.Type, c.Method) == ("jsonb", lz4 ? "l" : ""), $"{c.Name}: {c.Type} '{c.Method}'"));
        Assert.Equal("""{"a": 100, "b": 1}""", await RawTextAsync(target, "network_policy", "sbx_new"));
        Assert.Equal(lz4 ? "lz4" : "pglz", await CompressionAsync(target, "sbx_old"));

        await MigrateToAsync(target, JsonMigration);
        Assert.All(await ColumnsAsync(target), c => Assert.Equal("json", c.Type));
    }

    private static async Task MigrateToAsync(string target, string migration)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(target);
        await using var context = Schema.ContextFactory.CreatePostgreSql(source);
        await context.GetService<IMigrator>().MigrateAsync(migration);
    }

    /// <summary>The pipeline tables' json and jsonb columns: name, type, compression setting.</summary>
    private async Task<List<(string Name, string Type, string Method)>> ColumnsAsync(string target) =>
        (await Fixture.QueryAsyncOn(target, """
            SELECT c.relname || '.' || a.attname, a.atttypid::regtype::text, a.attcompression::text
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'agent'::regnamespace AND c.relkind = 'r'
              AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('json'::regtype, 'jsonb'::regtype)
            """))
        .Select(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!)).ToList();

    private async Task<string> RawTextAsync(string target, string column, string id) =>
        DbJson.DecodeText((string)Assert.Single(await Fixture.QueryAsyncOn(target, $"SELECT {column}::text FROM agent.sandboxes WHERE id = '{id}'"))[0]!);

    private async Task<string> CompressionAsync(string target, string id) =>
        (string)Assert.Single(await Fixture.QueryAsyncOn(target, $"SELECT pg_column_compression(routes) FROM agent.sandboxes WHERE id = '{id}'"))[0]!;

    private async Task ExecuteOnAsync(string target, string sql) => await Fixture.QueryAsyncOn(target, sql);
}
