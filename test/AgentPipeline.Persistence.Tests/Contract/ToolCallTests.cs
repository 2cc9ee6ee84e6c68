using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>tool_calls created in a step (their completion: <see cref="ToolCallCompletionTests{TFixture}"/>).</summary>
public abstract class ToolCallTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static NewToolCall FullToolCall(Guid step, string sdkId = "toolu_01") => new()
    {
        StepId = step, ToolCallId = sdkId, ToolName = "bash", Input = Seed.Json("""{"command":"npm test"}"""),
        Output = Seed.Json("""{"exitCode":1,"stderr":"1 failing"}"""), OutputType = ToolOutputType.ExecutionDenied, IsDynamic = true,
        IsInvalid = true, Error = Seed.Json("""{"message":"denied"}"""), IsPreliminary = true, IsProviderExecuted = true, Title = "Run tests",
        ProviderMetadata = Seed.Json("""{"anthropic":{"cache":"hit"}}"""),
    };

    [Fact]
    public async Task Create_tool_call_stores_every_column_and_copies_invocation_and_run()
    {
        var (run, invocation, step) = await Seed.StepAsync(Db);
        var id = await CreateToolCallAsync(Db, FullToolCall(step));

        var row = await Fixture.RowAsync("tool_calls", id);
        Assert.Equal(run, AsGuid(row["run_id"]));
        Assert.Equal(step, AsGuid(row["step_id"]));
        Assert.Equal(invocation, AsGuid(row["invocation_id"]));
        Assert.Equal("toolu_01", row["tool_call_id"]);
        Assert.Equal("bash", row["tool_name"]);
        AssertJson("""{"command":"npm test"}""", row["input"]);
        AssertJson("""{"exitCode":1,"stderr":"1 failing"}""", row["output"]);
        Assert.Equal("execution-denied", row["output_type"]);
        Assert.True(AsBool(row["is_dynamic"]));
        Assert.True(AsBool(row["is_invalid"]));
        AssertJson("""{"message":"denied"}""", row["error"]);
        Assert.True(AsBool(row["is_preliminary"]));
        Assert.True(AsBool(row["is_provider_executed"]));
        Assert.Equal("Run tests", row["title"]);
        AssertJson("""{"anthropic":{"cache":"hit"}}""", row["provider_metadata"]);
        Assert.Equal(Clock.Now, AsTime(row["created_at"]));
    }

    [Fact]
    public async Task Create_tool_call_replayed_is_a_no_op_and_with_other_data_a_conflict()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var first = await CreateToolCallAsync(Db, FullToolCall(step));
        Assert.Equal(first, await CreateToolCallAsync(Db, FullToolCall(step)));
        Assert.Equal(first, await CreateToolCallAsync(Db, FullToolCall(step) with { Id = first }));
        var other = await CreateToolCallAsync(Db, FullToolCall(step, "toolu_02"));

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateToolCallAsync(Db, FullToolCall(step) with { IsInvalid = false }));

        Assert.Equal(["is_invalid"], e.DifferingColumns);
        Assert.NotEqual(first, other);
        Assert.Equal(2, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
    }

    [Fact]
    public async Task Create_tool_call_of_a_missing_step_throws_not_found_and_writes_nothing()
    {
        var missing = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateToolCallAsync(Db, FullToolCall(missing)));
        Assert.Equal(("agent_steps", missing.ToString()), (e.Table, e.Id));
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", missing)));
    }
}

public sealed class SqliteToolCallTests(SqliteFixture f) : ToolCallTests<SqliteFixture>(f);
public sealed class PostgreSqlToolCallTests(PostgreSqlFixture f) : ToolCallTests<PostgreSqlFixture>(f);
