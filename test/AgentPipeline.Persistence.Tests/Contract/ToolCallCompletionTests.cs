using System.Text.Json;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>CompleteToolCall: a tool call's result recorded after the call (api.md rule 4: a tool call's result is recorded once).</summary>
public abstract class ToolCallCompletionTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static NewToolCall Started(Guid step) => new()
    {
        Id = Guid.NewGuid(), StepId = step, ToolCallId = "toolu_01", ToolName = "request_human_feedback",
        Input = Seed.Json("""{"question":"Ship it?"}"""), Title = "Ask the reviewer",
    };

    private static readonly ToolCallCompletion Answer = new()
    {
        Output = Seed.Json("""{"approved":true,"reason":"looks good"}"""), OutputType = ToolOutputType.Json,
    };

    private async Task<Guid> StartedCallAsync()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        return await CreateToolCallAsync(Db, Started(step));
    }

    [Fact]
    public async Task Completing_a_started_call_stores_its_result_and_keeps_every_other_column()
    {
        var id = await StartedCallAsync();
        var before = await Fixture.RowAsync("tool_calls", id);
        Assert.Null(before["output"]);
        Clock.Advance(TimeSpan.FromDays(2));

        await CompleteToolCallAsync(Db, id, Answer);

        var row = await Fixture.RowAsync("tool_calls", id);
        AssertJson("""{"approved":true,"reason":"looks good"}""", row["output"]);
        Assert.Equal("json", row["output_type"]);
        Assert.Null(row["error"]);
        Assert.False(AsBool(row["is_invalid"]));
        foreach (var column in new[] { "step_id", "tool_call_id", "tool_name", "input", "title", "created_at", "run_id", "invocation_id" })
        {
            Assert.Equal(before[column], row[column]);
        }
    }

    [Fact]
    public async Task The_same_result_again_is_a_no_op_and_the_same_meaning_in_other_spelling_too()
    {
        var id = await StartedCallAsync();
        await CompleteToolCallAsync(Db, id, Answer);

        await CompleteToolCallAsync(Db, id, Answer);
        await CompleteToolCallAsync(Db, id, Answer with { Output = Seed.Json("""{ "reason" : "looks good", "approved" : true }""") });

        AssertJson("""{"approved":true,"reason":"looks good"}""", (await Fixture.RowAsync("tool_calls", id))["output"]);
    }

    public static TheoryData<string> Differences => new() { "output", "output_type", "error", "is_invalid" };

    [Theory]
    [MemberData(nameof(Differences))]
    public async Task A_different_second_result_is_an_invalid_state_transition_naming_the_column_and_changes_nothing(string column)
    {
        var id = await StartedCallAsync();
        await CompleteToolCallAsync(Db, id, Answer);
        var stored = await Fixture.RowAsync("tool_calls", id);
        var other = column switch
        {
            "output" => Answer with { Output = Seed.Json("""{"approved":false}""") },
            "output_type" => Answer with { OutputType = ToolOutputType.Text },
            "error" => Answer with { Error = Seed.Json("""{"message":"timed out"}""") },
            _ => Answer with { IsInvalid = true },
        };

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteToolCallAsync(Db, id, other));

        Assert.Equal("tool_calls", e.Table);
        Assert.Equal(id.ToString(), e.Id);
        Assert.Equal("completed", e.CurrentState);
        Assert.Contains(column, e.RequestedState, StringComparison.Ordinal);
        Assert.Equal(stored, await Fixture.RowAsync("tool_calls", id));
    }

    [Fact]
    public async Task An_error_result_is_recorded_once_too()
    {
        var id = await StartedCallAsync();
        var failed = new ToolCallCompletion { Error = Seed.Json("""{"message":"sandbox stopped"}"""), OutputType = ToolOutputType.ErrorJson };

        await CompleteToolCallAsync(Db, id, failed);
        await CompleteToolCallAsync(Db, id, failed);
        await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteToolCallAsync(Db, id, Answer));

        var row = await Fixture.RowAsync("tool_calls", id);
        AssertJson("""{"message":"sandbox stopped"}""", row["error"]);
        Assert.Null(row["output"]);
        Assert.Equal("error-json", row["output_type"]);
    }

    [Fact]
    public async Task A_call_created_with_its_result_is_already_complete()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var id = await CreateToolCallAsync(Db, Started(step) with { Output = Answer.Output, OutputType = Answer.OutputType });

        await CompleteToolCallAsync(Db, id, Answer);
        await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteToolCallAsync(Db, id, Answer with { Output = Seed.Json("1") }));
    }

    [Fact]
    public async Task Replaying_the_create_after_the_result_is_a_no_op_and_a_create_with_other_data_still_a_conflict()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var started = Started(step);
        var id = await CreateToolCallAsync(Db, started);
        await CompleteToolCallAsync(Db, id, Answer with { IsInvalid = true });

        Assert.Equal(id, await CreateToolCallAsync(Db, started));
        Assert.Equal(id, await CreateToolCallAsync(Db, started with { Id = null })); // found by (step, tool_call_id)

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateToolCallAsync(Db, started with { ToolName = "bash" }));
        Assert.Equal(new[] { "tool_name" }, e.DifferingColumns);
        // A create that carried a result of its own is compared in full.
        var withOutput = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            CreateToolCallAsync(Db, started with { Output = Seed.Json("""{"approved":false}""") }));
        Assert.Contains("output", withOutput.DifferingColumns);
    }

    [Fact]
    public async Task A_missing_tool_call_is_record_not_found()
    {
        var missing = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CompleteToolCallAsync(Db, missing, Answer));

        Assert.Equal("tool_calls", e.Table);
        Assert.Equal(missing.ToString(), e.Id);
    }

    public static TheoryData<string, string> BadInput => new()
    {
        { "toolCallId", "empty-id" },
        { "data.Output", "no-output-no-error" },
        { "data.Output", "undefined-output" },
        { "data.Error", "undefined-error" },
        { "data.OutputType", "unknown-output-type" },
        { "data.Output", "repeated-name" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_an_argument_exception_naming_the_field_and_writes_nothing(string field, string @case)
    {
        var id = await StartedCallAsync();
        var before = await Fixture.RowAsync("tool_calls", id);
        ToolCallCompletion data = @case switch
        {
            "empty-id" => Answer,
            "no-output-no-error" => new ToolCallCompletion { OutputType = ToolOutputType.Text, IsInvalid = true },
            "undefined-output" => Answer with { Output = default(JsonElement) },
            "undefined-error" => Answer with { Error = default(JsonElement) },
            "unknown-output-type" => Answer with { OutputType = (ToolOutputType)42 },
            "repeated-name" => Answer with { Output = Seed.Json("""{"a":1,"a":2}""") },
            _ => throw new InvalidOperationException(@case),
        };

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => CompleteToolCallAsync(Db, @case == "empty-id" ? Guid.Empty : id, data));

        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Fixture.RowAsync("tool_calls", id));
    }

    [Fact]
    public async Task Two_different_results_racing_leave_exactly_one_stored()
    {
        for (var round = 0; round < 10; round++)
        {
            var id = await StartedCallAsync();
            await using var other = PipelineDb.Open(Fixture.Target, Clock);
            var approve = Answer;
            var reject = Answer with { Output = Seed.Json("""{"approved":false}""") };

            var results = await Task.WhenAll(
                Task.Run(async () => await Record(() => CompleteToolCallAsync(Db, id, approve))),
                Task.Run(async () => await Record(() => CompleteToolCallAsync(other, id, reject))));

            Assert.Single(results, r => r is null);
            Assert.Single(results, r => r is InvalidStateTransitionException);
            var winner = results[0] is null ? approve : reject;
            AssertJson(winner.Output!.Value.GetRawText(), (await Fixture.RowAsync("tool_calls", id))["output"]);
        }

        static async Task<Exception?> Record(Func<Task> call)
        {
            try
            {
                await call();
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }
    }
}

public sealed class SqliteToolCallCompletionTests(SqliteFixture f) : ToolCallCompletionTests<SqliteFixture>(f);
public sealed class PostgreSqlToolCallCompletionTests(PostgreSqlFixture f) : ToolCallCompletionTests<PostgreSqlFixture>(f);
