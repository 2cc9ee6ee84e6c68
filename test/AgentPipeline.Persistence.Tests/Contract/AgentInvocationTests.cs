using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

public abstract class AgentInvocationTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    internal static readonly DateTimeOffset ResponseTime = new(2026, 11, 26, 9, 31, 2, 123456 / 1000, TimeSpan.Zero);

    internal static AgentInvocationCompletion FullCompletion() => new()
    {
        FinishReason = FinishReason.ContentFilter,
        RawFinishReason = "SAFETY",
        OutputText = "Here is the plan.",
        OutputReasoningText = "First, read the repo.",
        OutputReasoning = Seed.Json("""[{"type":"reasoning","text":"First, read the repo."}]"""),
        OutputContent = Seed.Json("""[{"type":"text","text":"Here is the plan."}]"""),
        OutputFiles = Seed.Json("""[{"mediaType":"image/png","base64":"iVBORw0KGgo="}]"""),
        OutputSources = Seed.Json("""[{"sourceType":"url","id":"s1","url":"https://example.com"}]"""),
        ResponseMessages = Seed.Json("""[{"role":"assistant","content":[{"type":"text","text":"Here is the plan."}]}]"""),
        ResponseId = "resp_01",
        ResponseModelId = "claude-sonnet-4-5-20250929",
        ResponseHeaders = Seed.Json("""{"content-type":"application/json","x-request-id":"req_9"}"""),
        ResponseBody = Seed.Json("""{"id":"resp_01","stop_reason":"end_turn","big":123456789012345678901234567890}"""),
        ResponseTimestamp = ResponseTime,
        ProviderMetadata = Seed.Json("""{"anthropic":{"cacheCreationInputTokens":100}}"""),
        Warnings = Seed.Json("""[{"type":"unsupported-setting","setting":"seed"}]"""),
        RequestBody = Seed.Json("""{"model":"claude-sonnet-4-5","max_tokens":64000}"""),
        StepCount = 4,
        Usage = new TokenUsage
        {
            InputTokens = 12000, OutputTokens = 800, TotalTokens = 12800, InputNoCacheTokens = 2000, InputCacheReadTokens = 9000,
            InputCacheWriteTokens = 1000, OutputTextTokens = 500, OutputReasoningTokens = 300,
            Raw = Seed.Json("""{"input_tokens":2000,"cache_read_input_tokens":9000}"""),
        },
    };

    [Fact]
    public async Task Create_invocation_stores_its_columns_and_copies_the_run_id()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var id = await CreateAgentInvocationAsync(Db, new NewAgentInvocation
        {
            PhaseResultId = phase, AgentType = AgentType.MetaJudge, ModelProvider = "anthropic", ModelId = "claude-opus-4-1",
            SystemPrompt = "You judge judges.", InputMessages = Json("""[{"role":"user","content":"Pick one"}]"""),
        });

        var row = await Fixture.RowAsync("agent_invocations", id);
        Assert.Equal(run, AsGuid(row["run_id"]));
        Assert.Equal(phase, AsGuid(row["phase_result_id"]));
        Assert.Null(row["parent_invocation_id"]);
        Assert.Equal("meta_judge", row["agent_type"]);
        Assert.Equal("anthropic", row["model_provider"]);
        Assert.Equal("claude-opus-4-1", row["model_id"]);
        Assert.Equal("You judge judges.", row["system_prompt"]);
        AssertJson("""[{"role":"user","content":"Pick one"}]""", row["input_messages"]);
        Assert.Equal(Clock.Now, AsTime(row["started_at"]));
        Assert.Null(row["completed_at"]);
        Assert.Null(row["finish_reason"]);
    }

    [Fact]
    public async Task A_sub_agent_hangs_under_its_parent_in_the_same_phase_result()
    {
        var (_, phase, parent) = await Seed.InvocationAsync(Db);
        var child = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, ParentInvocationId = parent, AgentType = AgentType.Explorer });
        var grandchild = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, ParentInvocationId = child, AgentType = AgentType.Coder });

        Assert.Equal(parent, AsGuid((await Fixture.RowAsync("agent_invocations", child))["parent_invocation_id"]));
        Assert.Equal(child, AsGuid((await Fixture.RowAsync("agent_invocations", grandchild))["parent_invocation_id"]));
    }

    [Fact]
    public async Task A_parent_from_another_phase_result_is_refused_and_nothing_is_written()
    {
        var (_, _, foreignParent) = await Seed.InvocationAsync(Db);
        var (_, phase) = await Seed.PhaseAsync(Db);
        var id = Guid.NewGuid();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateAgentInvocationAsync(Db,
            new NewAgentInvocation { Id = id, PhaseResultId = phase, ParentInvocationId = foreignParent, AgentType = AgentType.Judge }));

        Assert.Equal("data.ParentInvocationId", e.ParamName);
        Assert.Equal(0, await Fixture.CountAsync("agent_invocations", "id = @id", ("id", id)));
    }

    [Fact]
    public async Task Missing_phase_result_or_parent_throws_not_found_and_writes_nothing()
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var missing = Guid.NewGuid();
        var id = Guid.NewGuid();

        var e1 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateAgentInvocationAsync(Db, new NewAgentInvocation { Id = id, PhaseResultId = missing, AgentType = AgentType.Coder }));
        var e2 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateAgentInvocationAsync(Db, new NewAgentInvocation { Id = id, PhaseResultId = phase, ParentInvocationId = missing, AgentType = AgentType.Coder }));

        Assert.Equal(("phase_results", missing.ToString()), (e1.Table, e1.Id));
        Assert.Equal(("agent_invocations", missing.ToString()), (e2.Table, e2.Id));
        Assert.Equal(0, await Fixture.CountAsync("agent_invocations", "id = @id", ("id", id)));
    }

    [Fact]
    public async Task Create_invocation_replayed_is_a_no_op_and_with_other_data_a_conflict()
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var data = new NewAgentInvocation { Id = Guid.NewGuid(), PhaseResultId = phase, AgentType = AgentType.Coder, ModelId = "gpt-5", InputMessages = Json("""{"a":1,"b":[true,null]}""") };
        await CreateAgentInvocationAsync(Db, data);
        Assert.Equal(data.Id, await CreateAgentInvocationAsync(Db, data with { InputMessages = Json("""{"b":[true,null],"a":1.0}""") }));

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentInvocationAsync(Db, data with { AgentType = AgentType.Judge, ModelId = "gpt-5-mini" }));

        Assert.Equal(["agent_type", "model_id"], e.DifferingColumns);
        Assert.Equal("coder", (await Fixture.RowAsync("agent_invocations", data.Id!.Value))["agent_type"]);
    }

    [Fact]
    public async Task Complete_invocation_stores_every_field_the_sdk_returned()
    {
        var (_, _, id) = await Seed.InvocationAsync(Db);
        var completedAt = Clock.Advance(TimeSpan.FromSeconds(95));
        await CompleteAgentInvocationAsync(Db, id, FullCompletion());

        var row = await Fixture.RowAsync("agent_invocations", id);
        Assert.Equal("content-filter", row["finish_reason"]);
        Assert.Equal("SAFETY", row["raw_finish_reason"]);
        Assert.Equal("Here is the plan.", row["output_text"]);
        Assert.Equal("First, read the repo.", row["output_reasoning_text"]);
        AssertJson("""[{"type":"reasoning","text":"First, read the repo."}]""", row["output_reasoning"]);
        AssertJson("""[{"type":"text","text":"Here is the plan."}]""", row["output_content"]);
        AssertJson("""[{"mediaType":"image/png","base64":"iVBORw0KGgo="}]""", row["output_files"]);
        AssertJson("""[{"sourceType":"url","id":"s1","url":"https://example.com"}]""", row["output_sources"]);
        AssertJson("""[{"role":"assistant","content":[{"type":"text","text":"Here is the plan."}]}]""", row["response_messages"]);
        Assert.Equal("resp_01", row["response_id"]);
        Assert.Equal("claude-sonnet-4-5-20250929", row["response_model_id"]);
        AssertJson("""{"content-type":"application/json","x-request-id":"req_9"}""", row["response_headers"]);
        AssertJson("""{"id":"resp_01","stop_reason":"end_turn","big":123456789012345678901234567890}""", row["response_body"]);
        Assert.Equal(ResponseTime, AsTime(row["response_timestamp"]));
        AssertJson("""{"anthropic":{"cacheCreationInputTokens":100}}""", row["provider_metadata"]);
        AssertJson("""[{"type":"unsupported-setting","setting":"seed"}]""", row["warnings"]);
        AssertJson("""{"model":"claude-sonnet-4-5","max_tokens":64000}""", row["request_body"]);
        Assert.Equal(4, AsLong(row["step_count"]));
        Assert.Equal(12000, AsLong(row["input_tokens"]));
        Assert.Equal(800, AsLong(row["output_tokens"]));
        Assert.Equal(12800, AsLong(row["total_tokens"]));
        Assert.Equal(2000, AsLong(row["input_tokens_no_cache_tokens"]));
        Assert.Equal(9000, AsLong(row["input_tokens_cache_read_tokens"]));
        Assert.Equal(1000, AsLong(row["input_tokens_cache_write_tokens"]));
        Assert.Equal(500, AsLong(row["output_tokens_text_tokens"]));
        Assert.Equal(300, AsLong(row["output_tokens_reasoning_tokens"]));
        AssertJson("""{"input_tokens":2000,"cache_read_input_tokens":9000}""", row["usage_raw"]);
        Assert.Equal(completedAt, AsTime(row["completed_at"]));
    }

    [Fact]
    public async Task Complete_invocation_twice_with_the_same_data_keeps_the_first_stamp_and_with_other_data_throws()
    {
        var (_, _, id) = await Seed.InvocationAsync(Db);
        var completedAt = Clock.Advance(TimeSpan.FromSeconds(3));
        await CompleteAgentInvocationAsync(Db, id, FullCompletion());
        Clock.Advance(TimeSpan.FromSeconds(3));
        await CompleteAgentInvocationAsync(Db, id, FullCompletion());

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CompleteAgentInvocationAsync(Db, id, FullCompletion() with { OutputText = "other", Usage = FullCompletion().Usage! with { OutputTokens = 1 } }));

        Assert.Equal("completed", e.CurrentState);
        Assert.Contains("output_text", e.RequestedState);
        Assert.Contains("output_tokens", e.RequestedState);
        var row = await Fixture.RowAsync("agent_invocations", id);
        Assert.Equal("Here is the plan.", row["output_text"]);
        Assert.Equal(completedAt, AsTime(row["completed_at"]));
    }

    [Fact]
    public async Task Complete_a_missing_invocation_throws_not_found()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CompleteAgentInvocationAsync(Db, id, new AgentInvocationCompletion()));
        Assert.Equal(("agent_invocations", id.ToString()), (e.Table, e.Id));
    }
}

public sealed class SqliteAgentInvocationTests(SqliteFixture f) : AgentInvocationTests<SqliteFixture>(f);
public sealed class PostgreSqlAgentInvocationTests(PostgreSqlFixture f) : AgentInvocationTests<PostgreSqlFixture>(f);
