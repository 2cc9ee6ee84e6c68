using System.Text.Json;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>api.md rule 7: bad input fails before any I/O, names the field, and writes nothing.</summary>
public abstract class ValidationTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    /// <summary>(field the exception must name, the call given real parents).</summary>
    public static TheoryData<string, string> Cases => new()
    {
        { "data.Prompt", "run-empty-prompt" },
        { "data.Id", "run-empty-id" },
        { "data.SandboxId", "run-empty-sandbox" },
        { "data.Id", "sandbox-no-id" },
        { "data.Memory", "sandbox-negative-memory" },
        { "data.Status", "sandbox-unknown-status" },
        { "data.RequestedAt", "sandbox-default-time" },
        { "data.NetworkPolicy", "sandbox-undefined-json" },
        { "status", "sandbox-status-unknown" },
        { "data.SizeBytes", "snapshot-negative-size" },
        { "data.ExpiresAt", "snapshot-default-time" },
        { "data.RunId", "phase-empty-run" },
        { "data.Phase", "phase-unknown" },
        { "output", "pass-undefined-json" },
        { "data.AgentType", "invocation-unknown-type" },
        { "data.InputMessages", "invocation-undefined-json" },
        { "data.ParentInvocationId", "invocation-self-parent" },
        { "data.Usage.InputTokens", "complete-negative-tokens" },
        { "data.Usage.OutputReasoningTokens", "complete-negative-reasoning" },
        { "data.FinishReason", "complete-unknown-finish" },
        { "data.ResponseTimestamp", "complete-default-time" },
        { "data.StepNumber", "step-negative-number" },
        { "data.Usage.TotalTokens", "step-negative-total" },
        { "data.ResponseHeaders", "step-undefined-json" },
        { "data.ToolCallId", "tool-no-sdk-id" },
        { "data.ToolName", "tool-no-name" },
        { "data.OutputType", "tool-unknown-output" },
        { "data.Content", "memory-empty" },
        { "data.Kind", "memory-unknown-kind" },
        { "data.Kind", "cta-unknown-kind" },
        { "runId", "memory-get-empty-run" },
        { "ctaId", "cta-empty-id" },
        { "data.Input", "tool-json-repeated-name" },
        { "output", "pass-json-repeated-escaped-name" },
        { "data.NetworkPolicy", "sandbox-json-repeated-name-nested" },
        { "data.ResponseHeaders", "step-json-repeated-name-in-a-large-object" },
        { "data.Usage.Raw", "complete-json-repeated-name" },
        { "data.InputMessages", "invocation-json-too-deep" },
        { "data.Output", "tool-json-repeated-lone-surrogate-name" },
    };

    private static JsonElement DeepJson(string text) => JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 10_000 }).RootElement;

    /// <summary>40 distinct names (past the pairwise comparison), then the fifth again.</summary>
    private static string LargeObjectRepeatingAName() =>
        "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"h{i}\":\"v\"")) + ",\"h4\":\"again\"}";

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_throws_an_argument_exception_naming_the_field_and_writes_nothing(string field, string @case)
    {
        var (run, phase, invocation, step, sandbox) = await Seed.ParentsAsync(Db);
        var before = await Fixture.TotalRowsAsync();

        Func<Task> call = @case switch
        {
            "run-empty-prompt" => () => CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "" }),
            "run-empty-id" => () => CreateFeatureRunAsync(Db, new NewFeatureRun { Id = Guid.Empty, Prompt = "p" }),
            "run-empty-sandbox" => () => CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p", SandboxId = "" }),
            "sandbox-no-id" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = null! }),
            "sandbox-negative-memory" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = "sbx_neg", Memory = -1 }),
            "sandbox-unknown-status" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = "sbx_bad", Status = (SandboxStatus)99 }),
            "sandbox-default-time" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = "sbx_tz", RequestedAt = default(DateTimeOffset) }),
            "sandbox-undefined-json" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = "sbx_json", NetworkPolicy = default(JsonElement) }),
            "sandbox-status-unknown" => () => UpdateSandboxStatusAsync(Db, sandbox, (SandboxStatus)(-1)),
            "snapshot-negative-size" => () => CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap", SandboxId = sandbox, SizeBytes = -5 }),
            "snapshot-default-time" => () => CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap", SandboxId = sandbox, ExpiresAt = default(DateTimeOffset) }),
            "phase-empty-run" => () => CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = Guid.Empty, Phase = FeaturePhase.Analysis }),
            "phase-unknown" => () => CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = (FeaturePhase)7 }),
            "pass-undefined-json" => () => PassPhaseResultAsync(Db, phase, default(JsonElement)),
            "invocation-unknown-type" => () => CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = (AgentType)5 }),
            "invocation-undefined-json" => () => CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, InputMessages = default(JsonElement) }),
            "invocation-self-parent" => () => CreateAgentInvocationAsync(Db, new NewAgentInvocation { Id = invocation, PhaseResultId = phase, ParentInvocationId = invocation, AgentType = AgentType.Coder }),
            "complete-negative-tokens" => () => CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { Usage = new TokenUsage { InputTokens = -1 } }),
            "complete-negative-reasoning" => () => CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { Usage = new TokenUsage { OutputReasoningTokens = -3 } }),
            "complete-unknown-finish" => () => CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { FinishReason = (FinishReason)6 }),
            "complete-default-time" => () => CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { ResponseTimestamp = default(DateTimeOffset) }),
            "step-negative-number" => () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = -1 }),
            "step-negative-total" => () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Usage = new TokenUsage { TotalTokens = -100 } }),
            "step-undefined-json" => () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseHeaders = default(JsonElement) }),
            "tool-no-sdk-id" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "", ToolName = "read" }),
            "tool-no-name" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = null! }),
            "tool-unknown-output" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "read", OutputType = (ToolOutputType)12 }),
            "memory-empty" => () => CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "" }),
            "memory-unknown-kind" => () => CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = (MemoryKind)4, Content = "c" }),
            "cta-unknown-kind" => () => CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = (CtaKind)3, RequestMessage = "m" }),
            "memory-get-empty-run" => () => GetMemoryRecordsAsync(Db, Guid.Empty),
            "cta-empty-id" => () => TimeoutCtaEventAsync(Db, Guid.Empty),
            "tool-json-repeated-name" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "read", Input = Json("{\"path\":\"a\",\"path\":\"b\"}") }),
            "pass-json-repeated-escaped-name" => () => PassPhaseResultAsync(Db, phase, Json("{\"x\":{\"a\":1,\"\\u0061\":2}}")),
            "sandbox-json-repeated-name-nested" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = "sbx_dup", NetworkPolicy = Json("[{\"k\":1},{\"k\":1,\"j\":{},\"k\":2}]") }),
            "step-json-repeated-name-in-a-large-object" => () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseHeaders = Json(LargeObjectRepeatingAName()) }),
            "complete-json-repeated-name" => () => CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { Usage = new TokenUsage { Raw = Json("{\"input_tokens\":1,\"input_tokens\":1}") } }),
            "tool-json-repeated-lone-surrogate-name" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "read", Output = Json("""{"\uD800":1,"x":2,"\ud800":3}""") }),
            "invocation-json-too-deep" => () => CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, InputMessages = DeepJson(new string('[', 5000) + new string(']', 5000)) }),
            _ => throw new InvalidOperationException(@case),
        };

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(call);

        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Fixture.TotalRowsAsync());
        Assert.Null((await Fixture.RowAsync("agent_invocations", invocation))["completed_at"]);
        Assert.Equal("pending", (await Fixture.RowAsync("sandboxes", sandbox))["status"]);
        Assert.Equal("running", (await Fixture.RowAsync("phase_results", phase))["status"]);
    }

    [Fact]
    public async Task Json_parsed_with_comments_and_trailing_commas_is_stored_as_standard_json_and_a_replay_stays_a_no_op()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var lenient = JsonDocument.Parse("{ \"path\": \"a\\u00e9.txt\", /* why */ \"lines\": [1, 2,], \"n\": 1.50e3, // end\n }",
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement;
        var call = new NewToolCall { Id = Guid.NewGuid(), StepId = step, ToolCallId = "lenient", ToolName = "read", Input = lenient };

        var id = await CreateToolCallAsync(Db, call);
        var again = await CreateToolCallAsync(Db, call);

        Assert.Equal(id, again);
        var stored = (JsonElement)(await StoredValue.JsonAsync(Db, "tool_calls", id, "input"))!;
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse("{\"path\":\"a\u00e9.txt\",\"lines\":[1,2],\"n\":1500}").RootElement, stored));
        var raw = stored.GetRawText();
        Assert.DoesNotContain("/*", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(",]", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_name_in_different_objects_and_a_large_object_of_distinct_names_are_stored_whole()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var nested = Json("{\"a\":{\"k\":1},\"b\":{\"k\":2,\"a\":{\"k\":3}},\"c\":[{\"k\":4},{\"k\":5}],\"k\":6,\"d\":{\"\\ud800\":1,\"\\ud801\":2}}");
        var large = Json("{" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"h{i}\":{{\"h{i}\":{i}}}"))
            + ""","\ud800":1,"\ud900":2,"\udc00":3,"\ud800x":4}"""); // names with lone surrogates that differ (one in the set past 32 names)

        var id = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "names", ToolName = "read", Input = nested, Output = large });

        // (JsonElement.DeepEquals cannot compare lone surrogates; the store's own comparison can.)
        Assert.True(AgentPipeline.Persistence.Internal.DbJson.SemanticallyEqual(nested, (JsonElement)(await StoredValue.JsonAsync(Db, "tool_calls", id, "input"))!));
        // The output is over 1 KB, so its column holds the shared form (docs/storage.md): read through the library.
        var output = (await GetToolCallAsync(Db, id)).Output!.Value;
        Assert.True(AgentPipeline.Persistence.Internal.DbJson.SemanticallyEqual(large, output));
        Assert.Equal(304, output.EnumerateObject().Count());
    }
}

public sealed class SqliteValidationTests(SqliteFixture f) : ValidationTests<SqliteFixture>(f);
public sealed class PostgreSqlValidationTests(PostgreSqlFixture f) : ValidationTests<PostgreSqlFixture>(f);
