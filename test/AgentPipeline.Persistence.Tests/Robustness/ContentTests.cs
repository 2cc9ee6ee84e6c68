using System.Text.Json;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Robustness;

/// <summary>
/// Whatever a model or a tool produced comes back exactly, on both providers, or the call fails
/// before writing: NUL, lone surrogates, 4-byte and right-to-left text, empty strings, JSON null
/// vs SQL NULL, huge numbers, deep nesting, injection strings.
/// </summary>
public abstract class ContentTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    public static TheoryData<string, string> HostileStrings => new()
    {
        { "nul inside", "before\0after" },
        { "only nul", "\0" },
        { "lone high surrogate", "\uD800" },
        { "truncated emoji", "ok " + "😀"[..1] },
        { "lone low surrogate first", "\uDE00 tail" },
        { "reversed pair", "\uDE00\uD83D" },
        { "the escape character itself", "\uFFFF" },
        { "escape followed by zero", "\uFFFF0 and \uFFFFu0041" },
        { "4-byte characters", "🎉👩‍💻𝄞 \U0001F9EA" },
        { "right-to-left", "مرحبا بالعالم \u202Eevil\u202C שלום" },
        { "sql injection", "'; DROP TABLE agent.feature_runs; --" },
        { "quotes, wildcards, backslashes", "it's \"quoted\" 100% _under_ C:\\path\\n \\u0000" },
        { "control characters", "\u0001\u0007\b\f\n\r\t\u001f\u007f" },
        { "empty", "" },
    };

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public async Task Text_comes_back_exactly_and_a_replay_stays_a_no_op(string what, string value)
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var content = "note: " + value;
        var memory = await CreateMemoryRecordAsync(Db, new NewMemoryRecord { Id = Guid.NewGuid(), PhaseResultId = phase, Kind = MemoryKind.Insight, Content = content });
        var step = new NewAgentStep { Id = Guid.NewGuid(), InvocationId = invocation, StepNumber = 0, Text = value, ReasoningText = value + value, ModelId = value };
        await CreateAgentStepAsync(Db, step);

        Assert.Equal(content, Assert.Single(await GetMemoryRecordsAsync(Db, run)).Content);
        Assert.Equal(value, await StoredValue.TextAsync(Db, "agent_steps", step.Id!.Value, "text"));
        Assert.Equal(value + value, await StoredValue.TextAsync(Db, "agent_steps", step.Id!.Value, "reasoning_text"));
        Assert.Equal(step.Id, await CreateAgentStepAsync(Db, step));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(Db, step with { Text = value + "\uFFFD" }));
        Assert.Equal(content, Assert.Single(await GetMemoryRecordsAsync(Db, run)).Content);
        Assert.Equal(memory, await CreateMemoryRecordAsync(Db, new NewMemoryRecord { Id = memory, PhaseResultId = phase, Kind = MemoryKind.Insight, Content = content }));
        Assert.NotNull(what);
    }

    public static TheoryData<string, string> HostileJson => new()
    {
        { "nul in a string", """{"stdout":"a\u0000b","exit":0}""" },
        { "nul in a name", """{"\u0000key":[1,"\u0000"]}""" },
        { "lone surrogates", """["\ud800","x\udfff","\ud83d\ude00","\udc00\ud800"]""" },
        { "escape character", """{"s":"\uffff","t":"￿0"}""" },
        { "escaped backslash then u0000 text", """{"s":"\\u0000 is not NUL"}""" },
        { "4-byte and rtl", """{"emoji":"🎉👩‍💻","rtl":"مرحبا","escaped":"\ud83c\udf89"}""" },
        { "numbers beyond double", """{"big":123456789012345678901234567890.123456789012345678901234567890,"tiny":1e-400,"neg":-0.0}""" },
        { "json null", "null" },
        { "empty string and containers", """{"":"","a":[],"o":{}}""" },
        { "injection", """{"q":"'; DROP TABLE agent.feature_runs; --","like":"%_\\"}""" },
    };

    [Theory]
    [MemberData(nameof(HostileJson))]
    public async Task Json_comes_back_semantically_identical_and_a_replay_stays_a_no_op(string what, string json)
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var value = Json(json);
        var call = new NewToolCall { Id = Guid.NewGuid(), StepId = step, ToolCallId = "t1", ToolName = "bash", Input = value, Output = value, Error = value };

        await CreateToolCallAsync(Db, call);

        var stored = (JsonElement)(await StoredValue.JsonAsync(Db, "tool_calls", call.Id!.Value, "output"))!;
        // The store's comparer: JsonElement.DeepEquals throws on lone surrogates.
        Assert.True(AgentPipeline.Persistence.Internal.DbJson.SemanticallyEqual(value, stored), $"{what}: stored {stored.GetRawText()}");
        Assert.False(AgentPipeline.Persistence.Internal.DbJson.SemanticallyEqual(value, Json("""{"other":true}""")));
        Assert.Equal(call.Id, await CreateToolCallAsync(Db, call));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateToolCallAsync(Db, call with { Output = Json("""{"other":true}""") }));
    }

    [Fact]
    public async Task Json_strings_with_lone_surrogates_keep_their_exact_code_units()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var call = new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "read", Output = Json("""{"text":"cut \ud83d","nul":"a\u0000"}""") };
        var id = await CreateToolCallAsync(Db, call);
        Assert.Equal(id, await CreateToolCallAsync(Db, call with { Output = Json("""{"nul":"a\u0000","text":"cut \uD83D"}""") }));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateToolCallAsync(Db, call with { Output = Json("""{"text":"cut \ud83e","nul":"a\u0000"}""") }));

        var stored = (JsonElement)(await StoredValue.JsonAsync(Db, "tool_calls", id, "output"))!;

        // GetString() refuses a lone surrogate, so compare the escaped raw text of the value.
        Assert.Equal("\"cut \\ud83d\"", stored.GetProperty("text").GetRawText().ToLowerInvariant());
        Assert.Equal("a\0", stored.GetProperty("nul").GetString());
    }

    [Fact]
    public async Task Json_null_sql_null_and_absent_stay_distinct()
    {
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Warnings = Json("null"), Files = null });

        var row = await Fixture.RowAsync("agent_steps", step);
        Assert.Equal("null", row["warnings"]?.ToString());
        Assert.Null(row["files"]);
        Assert.Null(row["sources"]);
        Assert.Equal(JsonValueKind.Null, ((JsonElement)(await StoredValue.JsonAsync(Db, "agent_steps", step, "warnings"))!).ValueKind);
        Assert.Null(await StoredValue.JsonAsync(Db, "agent_steps", step, "files"));
    }

    [Fact]
    public async Task Json_nested_200_deep_round_trips()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var json = string.Concat(Enumerable.Repeat("{\"a\":[", 100)) + "\"bottom\\u0000\"" + string.Concat(Enumerable.Repeat("]}", 100));
        var value = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 }).RootElement.Clone();

        var id = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "deep", ToolName = "glob", Output = value });

        var stored = (JsonElement)(await StoredValue.JsonAsync(Db, "tool_calls", id, "output"))!;
        Assert.True(JsonElement.DeepEquals(value, stored));
    }

    [Fact]
    public async Task Injection_strings_in_every_string_field_are_stored_verbatim_and_the_schema_survives()
    {
        const string evil = "'; DROP TABLE agent.feature_runs; -- \" %_\\ ' OR '1'='1";
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N") + evil;
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, Runtime = evil, Region = evil, Cwd = evil, SourceSnapshotId = evil, SourceUrl = evil, SourceRevision = evil });
        await CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap" + evil + sandbox, SandboxId = sandbox, Region = evil });
        var run = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = evil, SandboxId = sandbox, GithubRepoUrl = evil, GithubBranch = evil });
        var phase = await CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Analysis });
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, ModelProvider = evil, ModelId = evil, SystemPrompt = evil });
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, ModelProvider = evil, ModelId = evil, FunctionId = evil, Text = evil, ReasoningText = evil, RawFinishReason = evil, ResponseId = evil, ResponseModelId = evil });
        var tool = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = evil, ToolName = evil, Title = evil });
        // After its step and tool call: a completed invocation takes no new ones.
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { RawFinishReason = evil, OutputText = evil, OutputReasoningText = evil, ResponseId = evil, ResponseModelId = evil });
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Failure, Content = evil });
        var cta = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Choice, ToolCallId = evil, RequestPrompt = evil, RequestOptions = [new(evil, evil)] });
        await CompleteCtaEventAsync(Db, cta, CtaResponse.Choose(evil));
        var text = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Text, RequestPrompt = evil, RequestPlaceholder = evil });
        await CompleteCtaEventAsync(Db, text, CtaResponse.WithText(evil));

        Assert.Equal(evil, (await Fixture.RowAsync("feature_runs", run))["prompt"]);
        Assert.Equal(evil, (await Fixture.RowAsync("agent_invocations", invocation))["output_text"]);
        Assert.Equal(evil, (await Fixture.RowAsync("tool_calls", tool))["tool_call_id"]);
        Assert.Equal(evil, (await Fixture.RowAsync("cta_events", cta))["response_selected_id"]);
        Assert.Equal(evil, (await Fixture.RowAsync("cta_events", text))["response_text"]);
        Assert.Equal(evil, (await Fixture.RowAsync("sandboxes", sandbox))["cwd"]);
        Assert.Equal(evil, Assert.Single(await GetMemoryRecordsAsync(Db, run)).Content);
        Assert.True(await Fixture.CountAsync("feature_runs") >= 1);
    }

    [Fact]
    public async Task A_value_over_the_size_cap_is_refused_naming_its_column_and_nothing_is_written()
    {
        await using var small = PipelineDb.Open(new PipelineDbOptions { MaxValueBytes = 1024 * 1024 }.UseTarget(Fixture.Target));
        var (_, _, step) = await Seed.StepAsync(small);
        var big = JsonSerializer.SerializeToElement(new { stdout = new string('x', 2 * 1024 * 1024) });
        var id = Guid.NewGuid();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateToolCallAsync(small, new NewToolCall { Id = id, StepId = step, ToolCallId = "big", ToolName = "bash", Output = big }));
        var e2 = await Assert.ThrowsAsync<ArgumentException>(() => CreateFeatureRunAsync(small, new NewFeatureRun { Id = id, Prompt = new string('é', 600 * 1024) }));

        Assert.Equal("output", e.ParamName);
        Assert.Contains("MaxValueBytes", e.Message, StringComparison.Ordinal);
        Assert.Equal("prompt", e2.ParamName);
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "id = @id", ("id", id)));
        Assert.Equal(0, await Fixture.CountAsync("feature_runs", "id = @id", ("id", id)));
        Assert.Equal(PipelineDbOptions.DefaultMaxValueBytes, new PipelineDbOptions().MaxValueBytes);
    }
}

public sealed class SqliteContentTests(SqliteFixture f) : ContentTests<SqliteFixture>(f);
public sealed class PostgreSqlContentTests(PostgreSqlFixture f) : ContentTests<PostgreSqlFixture>(f);
