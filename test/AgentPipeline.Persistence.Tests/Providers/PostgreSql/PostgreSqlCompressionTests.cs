using System.Text.Json;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>PostgreSQL stores large text and json values compressed (lz4 where the server has it).</summary>
public sealed class PostgreSqlCompressionTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
    [Fact]
    public async Task Large_values_are_compressed_with_lz4_where_the_server_has_it()
    {
        var lz4 = (await Fixture.QueryAsync(
            "SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'")).SingleOrDefault()?["lz4"] is true;
        var (_, invocation, step) = await Seed.StepAsync(Db);
        var log = string.Concat(Enumerable.Repeat("PASS src/orders/export.test.ts (4.2 s) exports CSV\n", 400));
        var body = JsonSerializer.SerializeToElement(new { stdout = log, exitCode = 0 });
        var stored = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseBody = body, Text = log });
        // A tool call's error is not a shared column: it holds the large value itself.
        var tool = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t1", ToolName = "bash", Error = body });

        // Every text and json column of the nine tables: 'l' (lz4), or '' (the server's default) without lz4.
        var columns = await Fixture.QueryAsync("""
            SELECT c.relname || '.' || a.attname AS col, a.attcompression::text AS method
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'agent'::regnamespace AND c.relkind = 'r' AND c.relname <> '__EFMigrationsHistory'
              AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('text'::regtype, 'json'::regtype)
            """);
        var names = columns.Select(c => (string)c["col"]!).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "agent_steps.response_body", "agent_steps.text", "tool_calls.output", "agent_invocations.input_messages", "memory_records.content", "cta_events.request_message" });
        Assert.True(columns.Count >= 80, $"only {columns.Count} text and json columns found");
        var expected = lz4 ? "l" : "";
        Assert.All(columns, c => Assert.True((string)c["method"]! == expected, $"{c["col"]}: '{c["method"]}'"));

        // The values the store writes are stored that way, and read back whole. The response body is
        // over the shared-storage threshold, so its large leaf is a run_contents piece (docs/storage.md).
        var methods = (await Fixture.QueryAsync(
            "SELECT (SELECT pg_column_compression(c.body) FROM agent.run_contents c WHERE c.run_id = s.run_id ORDER BY octet_length(c.body) DESC LIMIT 1) AS body, pg_column_compression(s.text) AS text, pg_column_compression(t.error) AS error FROM agent.agent_steps s, agent.tool_calls t WHERE s.id = @s AND t.id = @t",
            ("s", stored), ("t", tool))).Single();
        var method = lz4 ? "lz4" : "pglz";
        Assert.Equal([method, method, method], new[] { methods["body"], methods["text"], methods["error"] });
        var read = (await GetAgentStepAsync(Db, stored)).ResponseBody!.Value;
        Assert.Equal(log, read.GetProperty("stdout").GetString());
        Assert.Equal(log, (await GetToolCallAsync(Db, tool)).Error!.Value.GetProperty("stdout").GetString());
    }
    [Fact]
    public async Task A_piece_that_fits_in_its_row_stays_there_compressed_not_in_the_toast_table()
    {
        Assert.Equal("m", (await Fixture.QueryAsync(
            "SELECT attstorage::text AS s FROM pg_attribute WHERE attrelid = 'agent.run_contents'::regclass AND attname = 'body'")).Single()["s"]);
        var toast = (string)(await Fixture.QueryAsync(
            "SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE oid = 'agent.run_contents'::regclass")).Single()["t"]!;
        var chunks = async () => (long)(await Fixture.QueryAsync($"SELECT count(*) AS n FROM {toast}")).Single()["n"]!;
        var before = await chunks();
        // 6 KB that lz4 barely shrinks: over the 2 KB at which a value would go to the TOAST table, well under a page.
        var noise = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4_500));
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var body = JsonSerializer.SerializeToElement(new { stdout = noise, exitCode = 0 });

        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseBody = body });

        Assert.Equal(1L, (long)(await Fixture.QueryAsync(
            "SELECT count(*) AS n FROM agent.run_contents c JOIN agent.agent_steps s ON s.run_id = c.run_id WHERE s.id = @s AND octet_length(c.body) > 6000",
            ("s", step))).Single()["n"]!);
        Assert.Equal(before, await chunks());
        Assert.Equal(body.GetRawText(), (await GetAgentStepAsync(Db, step)).ResponseBody!.Value.GetRawText());
    }
}
