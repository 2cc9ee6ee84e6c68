using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>agent_steps (the tool calls made in them: <see cref="ToolCallTests{TFixture}"/>).</summary>
public abstract class AgentStepTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static NewAgentStep FullStep(Guid invocation, int number) => new()
    {
        InvocationId = invocation, StepNumber = number, ModelProvider = "openai", ModelId = "gpt-5", FunctionId = "analysis.explore",
        Metadata = Seed.Json("""{"phase":"analysis"}"""), Text = "Reading files", ReasoningText = "Need context",
        Reasoning = Seed.Json("""[{"type":"reasoning","text":"Need context"}]"""), Content = Seed.Json("""[{"type":"tool-call","toolName":"read"}]"""),
        Files = Seed.Json("[]"), Sources = Seed.Json("""[{"id":"s","url":"https://docs"}]"""), FinishReason = FinishReason.ToolCalls,
        RawFinishReason = "tool_use",
        Usage = new TokenUsage
        {
            InputTokens = 100, OutputTokens = 20, TotalTokens = 120, InputNoCacheTokens = 40, InputCacheReadTokens = 50,
            InputCacheWriteTokens = 10, OutputTextTokens = 15, OutputReasoningTokens = 5, Raw = Seed.Json("""{"prompt_tokens":100}"""),
        },
        Warnings = Seed.Json("null"), RequestBody = Seed.Json("""{"model":"gpt-5"}"""), ResponseId = "resp_s", ResponseModelId = "gpt-5-2025-08-07",
        ResponseHeaders = Seed.Json("""{"openai-processing-ms":"120"}"""), ResponseBody = Seed.Json("""{"object":"response"}"""),
        ResponseTimestamp = new DateTimeOffset(2026, 11, 26, 9, 31, 0, TimeSpan.Zero), ProviderMetadata = Seed.Json("""{"openai":{"reasoningTokens":5}}"""),
    };

    [Fact]
    public async Task Create_step_stores_every_column_and_copies_the_run_id()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var id = await CreateAgentStepAsync(Db, FullStep(invocation, 3));

        var row = await Fixture.RowAsync("agent_steps", id);
        Assert.Equal(run, AsGuid(row["run_id"]));
        Assert.Equal(invocation, AsGuid(row["invocation_id"]));
        Assert.Equal(3, AsLong(row["step_number"]));
        Assert.Equal("openai", row["model_provider"]);
        Assert.Equal("gpt-5", row["model_id"]);
        Assert.Equal("analysis.explore", row["function_id"]);
        AssertJson("""{"phase":"analysis"}""", row["metadata"]);
        Assert.Equal("Reading files", row["text"]);
        Assert.Equal("Need context", row["reasoning_text"]);
        AssertJson("""[{"type":"reasoning","text":"Need context"}]""", row["reasoning"]);
        AssertJson("""[{"type":"tool-call","toolName":"read"}]""", row["content"]);
        AssertJson("[]", row["files"]);
        AssertJson("""[{"id":"s","url":"https://docs"}]""", row["sources"]);
        Assert.Equal("tool-calls", row["finish_reason"]);
        Assert.Equal("tool_use", row["raw_finish_reason"]);
        Assert.Equal([100L, 20L, 120L, 40L, 50L, 10L, 15L, 5L],
            new[] { "input_tokens", "output_tokens", "total_tokens", "input_tokens_no_cache_tokens", "input_tokens_cache_read_tokens",
                "input_tokens_cache_write_tokens", "output_tokens_text_tokens", "output_tokens_reasoning_tokens" }.Select(c => AsLong(row[c])!.Value));
        AssertJson("""{"prompt_tokens":100}""", row["usage_raw"]);
        Assert.Equal("null", row["warnings"]?.ToString()?.Trim());
        AssertJson("""{"model":"gpt-5"}""", row["request_body"]);
        Assert.Equal("resp_s", row["response_id"]);
        Assert.Equal("gpt-5-2025-08-07", row["response_model_id"]);
        AssertJson("""{"openai-processing-ms":"120"}""", row["response_headers"]);
        AssertJson("""{"object":"response"}""", row["response_body"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 31, 0, TimeSpan.Zero), AsTime(row["response_timestamp"]));
        AssertJson("""{"openai":{"reasoningTokens":5}}""", row["provider_metadata"]);
        Assert.Equal(Clock.Now, AsTime(row["created_at"]));
    }

    [Fact]
    public async Task Create_step_replayed_with_or_without_its_id_returns_the_stored_id_and_writes_nothing()
    {
        var (_, _, invocation) = await Seed.InvocationAsync(Db);
        var first = await CreateAgentStepAsync(Db, FullStep(invocation, 0));
        var withId = await CreateAgentStepAsync(Db, FullStep(invocation, 0) with { Id = first });
        var withoutId = await CreateAgentStepAsync(Db, FullStep(invocation, 0));

        Assert.Equal(first, withId);
        Assert.Equal(first, withoutId);
        Assert.Equal(1, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
    }

    [Fact]
    public async Task The_same_step_number_with_other_data_or_another_id_is_a_conflict()
    {
        var (_, _, invocation) = await Seed.InvocationAsync(Db);
        var first = await CreateAgentStepAsync(Db, FullStep(invocation, 1));

        var e1 = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(Db, FullStep(invocation, 1) with { Text = "other" }));
        var e2 = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(Db, FullStep(invocation, 1) with { Id = Guid.NewGuid() }));
        var e3 = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(Db, FullStep(invocation, 2) with { Id = first }));

        Assert.Equal(["text"], e1.DifferingColumns);
        Assert.Equal(["id"], e2.DifferingColumns);
        Assert.Equal(["step_number"], e3.DifferingColumns);
        Assert.Equal(1, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
        Assert.Equal("Reading files", (await Fixture.RowAsync("agent_steps", first))["text"]);
    }

    [Fact]
    public async Task Create_step_of_a_missing_invocation_throws_not_found_and_writes_nothing()
    {
        var missing = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = missing, StepNumber = 0 }));
        Assert.Equal(("agent_invocations", missing.ToString()), (e.Table, e.Id));
        Assert.Equal(0, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", missing)));
    }
}

public sealed class SqliteAgentStepTests(SqliteFixture f) : AgentStepTests<SqliteFixture>(f);
public sealed class PostgreSqlAgentStepTests(PostgreSqlFixture f) : AgentStepTests<PostgreSqlFixture>(f);
