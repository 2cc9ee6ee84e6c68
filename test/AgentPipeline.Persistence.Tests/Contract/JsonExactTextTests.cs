using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// JSON comes back as the text the caller wrote, byte for byte, on both providers: key order (a
/// <c>"$type"</c> discriminator first), number spellings, whitespace inside the value, deep
/// nesting. Written through the public create functions, read back with raw SQL on the test's own
/// connection, with only the store's own escapes (<see cref="DbText"/>) undone.
/// </summary>
public abstract class JsonExactTextTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = DbJson.ReadMaxDepth };

    public static TheoryData<string, string> Texts => new()
    {
        { "a $type discriminator first", """{"$type":"text","text":"hi"}""" },
        { "keys out of order", """{"b":1,"a":2}""" },
        { "nested keys out of order", """{"z":{"y":[{"$type":"functionCall","callId":"c1","name":"grep"}],"x":null},"a":true}""" },
        { "an exponent with a capital E", """{"score":-3.128163257315464E-07}""" },
        { "a number beyond double", """[1e200000,-1e-200000]""" },
        { "trailing zeros and explicit exponents", """[1.0,1E+2,1e2,100,0.10,-0.0]""" },
        { "integers beyond long and decimal", """[123456789012345678901234567890123456789012345678901234567890,-99999999999999999999999999999999]""" },
        { "whitespace inside the value", "{ \"a\" : [ 1 , 2 ] ,\n\t\"b\" : \"x\"\r\n}" },
        { "escapes spelled as the caller spelled them", """{"s":"\u0041\n\/\u00e9","t":"\"q\""}""" },
        { "non-ASCII text", """{"emoji":"🎉👩‍💻","rtl":"مرحبا"}""" },
        { "a bare string", "\"just text\"" },
        { "a bare number", "6.02214076E+23" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Json_comes_back_as_the_exact_text_written(string what, string text)
    {
        var value = Parse(text);
        var (_, invocation, step) = await Seed.StepAsync(Db);

        var call = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t1", ToolName = "bash", Input = value, Output = value });
        // metadata is a plain column; request_body goes through the secret redactor (nothing to redact here).
        var stepId = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Metadata = value, RequestBody = value });

        Assert.Equal(text, await StoredTextAsync("tool_calls", call, "input"));
        Assert.Equal(text, await StoredTextAsync("tool_calls", call, "output"));
        Assert.Equal(text, await StoredTextAsync("agent_steps", stepId, "metadata"));
        Assert.Equal(text, await StoredTextAsync("agent_steps", stepId, "request_body"));
        Assert.NotNull(what);
    }

    [Fact]
    public async Task Phase_output_and_sandbox_policy_keep_their_text()
    {
        const string output = """{"summary":"ok","approaches":[{"id":"b","score":9.50},{"id":"a","score":1E+1}]}""";
        const string policy = """{"deny":["*"],"allow":["registry.npmjs.org"]}""";
        var (_, phase) = await Seed.PhaseAsync(Db);
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");

        await PassPhaseResultAsync(Db, phase, Parse(output));
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, NetworkPolicy = Parse(policy) });

        Assert.Equal(output, await StoredTextAsync("phase_results", phase, "output"));
        Assert.Equal(policy, await StoredTextAsync("sandboxes", sandbox, "network_policy"));
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{\"b\":{\"a\":", "}}")]
    public async Task Json_nested_1000_deep_comes_back_as_the_exact_text_written(string open, string close)
    {
        var text = Nested(DbJson.MaxDepth, open, close);
        var (_, invocation, step) = await Seed.StepAsync(Db);

        var call = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "deep", ToolName = "glob", Output = Parse(text) });
        var stepId = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Metadata = Parse(text) });

        Assert.Equal(1000, DbJson.MaxDepth);
        // metadata is a plain column; a tool call's output of 1 KB or more is stored in the shared form (docs/storage.md), read through the library.
        Assert.Equal(text, await StoredTextAsync("agent_steps", stepId, "metadata"));
        Assert.Equal(text, (await GetToolCallAsync(Db, call)).Output!.Value.GetRawText());
    }

    /// <summary>SQLite's json_valid refuses deeper JSON; both providers refuse it the same way, before any I/O.</summary>
    [Theory]
    [InlineData("[", "]")]
    [InlineData("{\"b\":{\"a\":", "}}")]
    public async Task Json_nested_deeper_than_1000_is_refused_naming_the_field_and_nothing_is_written(string open, string close)
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var before = await Fixture.TotalRowsAsync();
        var text = Nested(DbJson.MaxDepth + (open.StartsWith('{') ? 2 : 1), open, close);

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "deep", ToolName = "glob", Output = Parse(text) }));

        Assert.Contains("Output", e.Message, StringComparison.Ordinal);
        Assert.Contains("1000 levels", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Fixture.TotalRowsAsync());
    }

    /// <summary><paramref name="depth"/> levels of arrays, or of objects (two levels per <paramref name="open"/>), around a number.</summary>
    private static string Nested(int depth, string open, string close)
    {
        var repeat = open.StartsWith('{') ? depth / 2 : depth;
        return string.Concat(Enumerable.Repeat(open, repeat)) + "-3.128163257315464E-07" + string.Concat(Enumerable.Repeat(close, repeat));
    }

    /// <summary>
    /// Strings the store escapes (U+0000, lone surrogates, U+FFFF) come back as the caller's
    /// escapes, and the rest of the value, whitespace and key order included, as it was.
    /// </summary>
    [Theory]
    [InlineData("""{"stdout":"a\u0000b","exit":0}""")]
    [InlineData("""{ "z" : "\ud800" ,  "a" : [ 1.50 , "\udfffx" ] , "n" : 1E+2 }""")]
    [InlineData("""{"\u0000key":["\uffff","\ud83d\ude00"],"b":{"c":"tab\there"}}""")]
    public async Task Json_holding_characters_the_store_escapes_comes_back_as_the_exact_text_written(string text)
    {
        var (_, _, step) = await Seed.StepAsync(Db);

        var call = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t1", ToolName = "bash", Output = Parse(text) });

        Assert.Equal(text, await StoredTextAsync("tool_calls", call, "output"));
    }

    [Fact]
    public async Task Json_written_by_concurrent_calls_keeps_its_text()
    {
        // Calls arriving together may be committed as one multi-row statement (array parameters on PostgreSQL).
        var (_, _, step) = await Seed.StepAsync(Db);
        var texts = Enumerable.Range(0, 16).Select(i => $$$"""{"$type":"text","n":{{{i}}}.0E+0,"b":{"z":1,"a":[ {{{i}}} ]}}""").ToList();

        var ids = await Task.WhenAll(texts.Select((t, i) =>
            CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "c" + i, ToolName = "read", Output = Parse(t) })));

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(texts[i], await StoredTextAsync("tool_calls", ids[i], "output"));
        }
    }

    [Fact]
    public async Task A_repeated_name_is_refused_naming_the_field_and_nothing_is_written()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var before = await Fixture.TotalRowsAsync();

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t1", ToolName = "bash", Output = Parse("""{"a":1,"b":2,"a":3}""") }));

        Assert.Contains("Output", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"a\"", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("jsonb", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Fixture.TotalRowsAsync());
    }

    private static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text, Deep);
        return document.RootElement.Clone();
    }

    /// <summary>The column's stored text, read with raw SQL, with the store's own escapes undone.</summary>
    private async Task<string> StoredTextAsync(string table, object id, string column)
    {
        var row = Assert.Single(await Fixture.QueryAsync($"SELECT {column} AS v FROM {Fixture.T(table)} WHERE id = @id", ("id", id)));
        var stored = Assert.IsType<string>(row["v"]);
        return DbJson.DecodeText(stored);
    }
}

public sealed class SqliteJsonExactTextTests(SqliteFixture f) : JsonExactTextTests<SqliteFixture>(f);

public sealed class PostgreSqlJsonExactTextTests(PostgreSqlFixture f) : JsonExactTextTests<PostgreSqlFixture>(f);
