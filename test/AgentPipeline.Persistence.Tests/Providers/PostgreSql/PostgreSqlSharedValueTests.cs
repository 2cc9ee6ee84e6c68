using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Content;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>
/// <c>agent.shared_value(run_id, value)</c>, made by the migration <c>SharedRunContents</c>: raw SQL
/// gets a shared column's whole stored text, exactly what the column held before shared storage;
/// a literal value and NULL come back as they are.
/// </summary>
public sealed class PostgreSqlSharedValueTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
    [Fact]
    public async Task Shared_value_returns_the_whole_stored_text_of_shared_literal_and_null_values()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var loop = new AgentLoop(systemPromptBytes: 30_000);
        var prompt = loop.SystemPrompt + "\0 \uFFFF \uD800";
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, SystemPrompt = prompt });
        var steps = new List<(Guid Id, JsonElement Body)>();
        for (var n = 0; n < 30; n++)
        {
            loop.Turn();
            var text = n == 29 ? loop.RequestBody().Replace("\"max_tokens\"", "\"x\":\"\\u0000\\uffff\\ud800\",\"max_tokens\"", StringComparison.Ordinal) : loop.RequestBody();
            var body = JsonDocument.Parse(text).RootElement.Clone();
            steps.Add((await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = body, ResponseBody = Json("""{"small":true}""") }), body));
        }
        foreach (var (id, body) in steps)
        {
            var row = Assert.Single(await Fixture.QueryAsync(
                "SELECT agent.shared_value(run_id, request_body::text) AS request, agent.shared_value(run_id, response_body::text) AS response, " +
                "agent.shared_value(run_id, NULL) AS none, request_body::text AS stored FROM agent.agent_steps WHERE id = @id", ("id", id)));
            Assert.StartsWith("{\"agentpipe:shared\":1,", (string)row["stored"]!, StringComparison.Ordinal);
            Assert.Equal(DbJson.ToText(body), (string)row["request"]!);
            Assert.Equal(body.GetRawText(), DbJson.DecodeText((string)row["request"]!));
            Assert.Equal("""{"small":true}""", (string)row["response"]!);
            Assert.Null(row["none"]);
        }
        var prompts = Assert.Single(await Fixture.QueryAsync(
            "SELECT agent.shared_value(run_id, system_prompt) AS p FROM agent.agent_invocations WHERE id = @id", ("id", invocation)));
        Assert.Equal(DbText.Encode(prompt), (string)prompts["p"]!);
        Assert.True(await Fixture.CountAsync("run_contents", "run_id = @r", ("r", run)) > 0);
    }

    [Fact]
    public async Task Shared_value_returns_a_tool_calls_input_and_output_created_or_completed()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var output = JsonDocument.Parse($$"""{"type":"text","value":"{{string.Concat(Enumerable.Repeat("ok \\u0000 \\uffff \\ud800 1→ line\\n", 300))}}"}""").RootElement.Clone();
        var input = JsonDocument.Parse($$"""{"file_path":"/repo/a.cs","content":"{{string.Concat(Enumerable.Repeat("class A { } ", 200))}}","n":1.0E+2}""").RootElement.Clone();
        var created = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "call_1", ToolName = "write", Input = input, Output = output });
        var completed = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "call_2", ToolName = "write", Input = input });
        await CompleteToolCallAsync(Db, completed, new ToolCallCompletion { Output = output, OutputType = ToolOutputType.Text });
        foreach (var id in new[] { created, completed })
        {
            var row = Assert.Single(await Fixture.QueryAsync(
                "SELECT agent.shared_value(run_id, input::text) AS input, agent.shared_value(run_id, output::text) AS output, output::text AS stored " +
                "FROM agent.tool_calls WHERE id = @id", ("id", id)));
            Assert.StartsWith("{\"agentpipe:shared\":1,", (string)row["stored"]!, StringComparison.Ordinal);
            Assert.Equal(DbJson.ToText(output), (string)row["output"]!);
            Assert.Equal(output.GetRawText(), DbJson.DecodeText((string)row["output"]!));
            Assert.Equal(input.GetRawText(), DbJson.DecodeText((string)row["input"]!));
        }
    }

    [Fact]
    public async Task A_read_finds_each_piece_by_a_probe_of_the_primary_key_not_by_reading_the_run_whole()
    {
        // A small run_contents, where the planner would rather read the run whole and hash it.
        var (run, phase) = await Seed.PhaseAsync(Db);
        var loop = new AgentLoop(systemPromptBytes: 30_000);
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, SystemPrompt = loop.SystemPrompt });
        var last = Guid.Empty;
        JsonElement body = default;
        for (var n = 0; n < 30; n++)
        {
            loop.Turn();
            body = JsonDocument.Parse(loop.RequestBody()).RootElement.Clone();
            last = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = body });
        }
        var keys = (await Fixture.QueryAsync("SELECT hash FROM agent.run_contents WHERE run_id = @r", ("r", run))).Select(r => (string)r["hash"]!).ToList();
        Assert.True(keys.Count > 10, $"{keys.Count} rows in run_contents");
        await Fixture.ExecuteAsync("ANALYZE agent.run_contents");

        var plan = await QueryPlans.ExplainAsync(Db, SharedReads.PostgreSqlByKey, [run, JsonSerializer.Serialize(keys)]);

        Assert.Contains(plan, l => l.Contains("Index Scan using \"PK_run_contents\"", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.Contains("Seq Scan", StringComparison.Ordinal) || l.Contains("Hash", StringComparison.Ordinal));
        Assert.Equal(body.GetRawText(), (await GetAgentStepAsync(Db, last)).RequestBody!.Value.GetRawText());
    }
}
