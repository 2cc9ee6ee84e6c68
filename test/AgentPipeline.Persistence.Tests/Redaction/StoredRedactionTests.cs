using System.Text.Json;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>Through the store, on both providers: secrets in the four columns never reach a table.</summary>
public abstract class StoredRedactionTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    // Built at run time so no secret-shaped literal sits in the source.
    private static readonly string ApiKey = "sk-proj-" + new string('A', 4) + "9f3Kq2LmZx7Tb1Wc5Rv8Ny0Hd6Js4Pe";
    private static readonly string Bearer = "tok" + "_live_7Hq2Lm9Zx4Tb1Wc5Rv8Ny0Hd6";

    private JsonElement Headers() => Json($$"""{"Authorization":"Bearer {{Bearer}}","x-request-id":"req_123","Set-Cookie":["session=abc123def456; Path=/"],"content-type":"application/json"}""");

    private JsonElement RequestBody() => Json($$"""{"model":"gpt-5","api_key":"{{ApiKey}}","messages":[{"role":"user","content":"hi"}],"max_tokens":100}""");

    [Fact]
    public async Task Secrets_in_headers_bodies_and_metadata_are_replaced_by_markers_and_everything_else_is_kept()
    {
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var completion = new AgentInvocationCompletion
        {
            OutputText = "done", ResponseHeaders = Headers(), RequestBody = RequestBody(),
            ResponseBody = Json($$$"""{"id":"resp_1","error":{"message":"Incorrect API key provided: {{{ApiKey}}}"}}"""),
            ProviderMetadata = Json($$$"""{"proxy":{"apiKey":"{{{ApiKey}}}","region":"us"}}"""),
        };
        // The step first: a completed invocation takes no new steps.
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseHeaders = Headers(), RequestBody = RequestBody() });
        await CompleteAgentInvocationAsync(Db, invocation, completion);

        foreach (var (table, id) in new[] { ("agent_invocations", invocation), ("agent_steps", step) })
        {
            var row = await Fixture.RowAsync(table, id);
            var stored = string.Join("\n", row.Values.Select(v => v?.ToString()));
            Assert.DoesNotContain(ApiKey, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(Bearer, stored, StringComparison.Ordinal);
            Assert.DoesNotContain("abc123def456", stored, StringComparison.Ordinal);
            Assert.Contains("[REDACTED:", stored, StringComparison.Ordinal);
            var headers = StoreFixture.AsJson(row["response_headers"])!.Value;
            Assert.Equal("req_123", headers.GetProperty("x-request-id").GetString());
            Assert.Equal("application/json", headers.GetProperty("content-type").GetString());
            var body = StoreFixture.AsJson(row["request_body"])!.Value;
            Assert.Equal("gpt-5", body.GetProperty("model").GetString());
            Assert.Equal(100, body.GetProperty("max_tokens").GetInt32());
            Assert.StartsWith("[REDACTED:", body.GetProperty("api_key").GetString(), StringComparison.Ordinal);
        }
        // Replays compare redacted with redacted: still no-ops.
        await CompleteAgentInvocationAsync(Db, invocation, completion);
        Assert.Equal(step, await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseHeaders = Headers(), RequestBody = RequestBody() }));
    }

    [Fact]
    public async Task A_tool_calls_provider_metadata_is_redacted_too_and_a_replay_stays_a_no_op()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var call = new NewToolCall
        {
            StepId = step, ToolCallId = "call_meta", ToolName = "fetch",
            ProviderMetadata = Json($$$"""{"proxy":{"apiKey":"{{{ApiKey}}}","region":"us"}}"""),
            Input = Json("""{"url":"https://example.com"}"""),
        };

        var id = await CreateToolCallAsync(Db, call);

        var row = await Fixture.RowAsync("tool_calls", id);
        var metadata = StoreFixture.AsJson(row["provider_metadata"])!.Value.GetProperty("proxy");
        Assert.StartsWith("[REDACTED:", metadata.GetProperty("apiKey").GetString(), StringComparison.Ordinal);
        Assert.Equal("us", metadata.GetProperty("region").GetString());
        Assert.DoesNotContain(ApiKey, string.Join("\n", row.Values.Select(v => v?.ToString())), StringComparison.Ordinal);
        Assert.Equal(id, await CreateToolCallAsync(Db, call));
    }

    [Fact]
    public async Task Lone_surrogates_in_redacted_columns_come_back_exactly_beside_a_redacted_secret()
    {
        // A conversation whose earlier tool output ends in half an emoji, as request_body carries it.
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var body = Json($$$"""{"messages":[{"role":"tool","content":"cut \ud83d"},{"role":"user","content":"key {{{ApiKey}}} \udc00 end"}],"note":"\ud800"}""");
        var headers = Json($$"""{"Authorization":"Bearer {{Bearer}}","x-trace":"\ud83d","\udead":"x"}""");

        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = body, ResponseHeaders = headers });

        var storedBody = (JsonElement)(await StoredValue.JsonAsync(Db, "agent_steps", step, "request_body"))!;
        var messages = storedBody.GetProperty("messages");
        Assert.Equal("\"cut \\ud83d\"", messages[0].GetProperty("content").GetRawText(), ignoreCase: true);
        var redacted = messages[1].GetProperty("content").GetRawText();
        Assert.DoesNotContain(ApiKey, redacted, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:", redacted, StringComparison.Ordinal);
        Assert.Contains("\\udc00 end", redacted, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("\"\\ud800\"", storedBody.GetProperty("note").GetRawText(), ignoreCase: true);
        var storedHeaders = (JsonElement)(await StoredValue.JsonAsync(Db, "agent_steps", step, "response_headers"))!;
        Assert.Contains("[REDACTED:", storedHeaders.GetProperty("Authorization").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Bearer, storedHeaders.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("\"\\ud83d\"", storedHeaders.GetProperty("x-trace").GetRawText(), ignoreCase: true);
        Assert.Equal(step, await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = body, ResponseHeaders = headers }));
    }

    [Fact]
    public async Task Nul_characters_in_redacted_columns_come_back_exactly_beside_a_redacted_secret()
    {
        // U+0000, which PostgreSQL's text and jsonb refuse, in values, in names and next to a secret, in all four
        // redacted columns of a step and of an invocation, and in a tool call's provider_metadata.
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var body = Json($$$"""{"messages":[{"role":"tool","content":"bin\u0000ary"},{"role":"user","content":"key {{{ApiKey}}}\u0000 end"}],"n\u0000ame":"\u0000"}""");
        var headers = Json($$"""{"Authorization":"Bearer {{Bearer}}","x-trace":"a\u0000b"}""");
        var metadata = Json($$$"""{"proxy":{"apiKey":"{{{ApiKey}}}","note":"\u0000\u0000"}}""");
        var responseBody = Json($$$"""{"error":{"message":"Incorrect API key provided: {{{ApiKey}}}\u0000"}}""");

        var step = await CreateAgentStepAsync(Db, new NewAgentStep
        {
            InvocationId = invocation, StepNumber = 1, RequestBody = body, ResponseHeaders = headers, ResponseBody = responseBody, ProviderMetadata = metadata,
        });
        var call = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "call_nul", ToolName = "fetch", ProviderMetadata = metadata });
        var completion = new AgentInvocationCompletion { RequestBody = body, ResponseHeaders = headers, ResponseBody = responseBody, ProviderMetadata = metadata };
        await CompleteAgentInvocationAsync(Db, invocation, completion);

        foreach (var (table, id) in new[] { ("agent_steps", (object)step), ("agent_invocations", invocation) })
        {
            var storedBody = (JsonElement)(await StoredValue.JsonAsync(Db, table, id, "request_body"))!;
            Assert.Equal("bin\u0000ary", storedBody.GetProperty("messages")[0].GetProperty("content").GetString());
            var redacted = storedBody.GetProperty("messages")[1].GetProperty("content").GetString()!;
            Assert.StartsWith("key [REDACTED:", redacted, StringComparison.Ordinal);
            Assert.EndsWith("]\u0000 end", redacted, StringComparison.Ordinal);
            Assert.Equal("\u0000", storedBody.GetProperty("n\u0000ame").GetString());
            var storedHeaders = (JsonElement)(await StoredValue.JsonAsync(Db, table, id, "response_headers"))!;
            Assert.Equal("[REDACTED:authorization]", storedHeaders.GetProperty("Authorization").GetString());
            Assert.Equal("a\u0000b", storedHeaders.GetProperty("x-trace").GetString());
            var storedResponse = (JsonElement)(await StoredValue.JsonAsync(Db, table, id, "response_body"))!;
            Assert.Matches(@"^Incorrect API key provided: \[REDACTED:[a-z-]+\]\u0000$", storedResponse.GetProperty("error").GetProperty("message").GetString());
            var storedMetadata = (JsonElement)(await StoredValue.JsonAsync(Db, table, id, "provider_metadata"))!;
            Assert.Equal("\u0000\u0000", storedMetadata.GetProperty("proxy").GetProperty("note").GetString());
            Assert.StartsWith("[REDACTED:", storedMetadata.GetProperty("proxy").GetProperty("apiKey").GetString(), StringComparison.Ordinal);
            var raw = string.Join("\n", (await Fixture.RowAsync(table, id)).Values.Select(v => v?.ToString()));
            Assert.DoesNotContain(ApiKey, raw, StringComparison.Ordinal);
            Assert.DoesNotContain(Bearer, raw, StringComparison.Ordinal);
        }
        var callMetadata = (JsonElement)(await StoredValue.JsonAsync(Db, "tool_calls", call, "provider_metadata"))!;
        Assert.Equal("\u0000\u0000", callMetadata.GetProperty("proxy").GetProperty("note").GetString());
        Assert.StartsWith("[REDACTED:", callMetadata.GetProperty("proxy").GetProperty("apiKey").GetString(), StringComparison.Ordinal);
        // Replays compare the stored, escaped and redacted values with the replay's: still no-ops.
        Assert.Equal(step, await CreateAgentStepAsync(Db, new NewAgentStep
        {
            InvocationId = invocation, StepNumber = 1, RequestBody = body, ResponseHeaders = headers, ResponseBody = responseBody, ProviderMetadata = metadata,
        }));
        await CompleteAgentInvocationAsync(Db, invocation, completion);
    }

    [Fact]
    public async Task Redaction_can_be_turned_off_or_replaced_by_a_custom_redactor()
    {
        await using var off = PipelineDb.Open(new PipelineDbOptions { SecretRedaction = { Enabled = false } }.UseTarget(Fixture.Target));
        await using var custom = PipelineDb.Open(new PipelineDbOptions { SecretRedaction = { CustomRedactor = new Everything() } }.UseTarget(Fixture.Target));
        var (_, invocation, _) = await Seed.StepAsync(Db);

        var plain = await CreateAgentStepAsync(off, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = RequestBody() });
        var replaced = await CreateAgentStepAsync(custom, new NewAgentStep { InvocationId = invocation, StepNumber = 2, RequestBody = RequestBody() });

        Assert.Contains(ApiKey, (string)(await Fixture.RowAsync("agent_steps", plain))["request_body"]!, StringComparison.Ordinal);
        AssertJson("""{"custom":"agent_steps.request_body"}""", (await Fixture.RowAsync("agent_steps", replaced))["request_body"]);
    }

    private sealed class Everything : ISecretRedactor
    {
        public JsonElement Redact(JsonElement value, RedactionContext context) =>
            JsonSerializer.SerializeToElement(new { custom = $"{context.Table}.{context.Column}" });
    }
}

public sealed class SqliteStoredRedactionTests(SqliteFixture f) : StoredRedactionTests<SqliteFixture>(f);
public sealed class PostgreSqlStoredRedactionTests(PostgreSqlFixture f) : StoredRedactionTests<PostgreSqlFixture>(f);
