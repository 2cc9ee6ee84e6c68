using AgentPipeline.Persistence.Tests.Infrastructure;
using AgentPipeline.Persistence.Tests.StoredForms;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// Replays through the store whose only difference is inside a JSON column: every difference the comparison must
/// see (an added or missing key, nested, an array's length, …) is an <see cref="IdempotencyConflictException"/>
/// naming that column, and every way of writing the same JSON (key order, <c>1</c>/<c>1.0</c>/<c>1e0</c>, escapes)
/// is a no-op. Run on a plain JSON column (<c>metadata</c>) and on a redacted one (<c>request_body</c>).
/// </summary>
public abstract class JsonReplayTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    public static TheoryData<string, string> Different => JsonComparisonTests.Different;

    public static TheoryData<string, string> Same => JsonComparisonTests.Same;

    [Theory]
    [MemberData(nameof(Different))]
    public async Task A_replay_differing_only_inside_json_is_a_conflict_naming_the_column(string stored, string replayed)
    {
        foreach (var (first, second) in new[] { (stored, replayed), (replayed, stored) })
        {
            foreach (var column in new[] { "metadata", "request_body" })
            {
                var (_, _, invocation) = await Seed.InvocationAsync(Db);
                var id = await CreateAgentStepAsync(Db, Step(invocation, column, first));
                var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(Db, Step(invocation, column, second)));
                Assert.Equal([column], e.DifferingColumns);
                Assert.Equal(1, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
                AssertJson(first, (await Fixture.RowAsync("agent_steps", id))[column]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Same))]
    public async Task A_replay_writing_the_same_json_differently_is_a_no_op(string stored, string replayed)
    {
        foreach (var (first, second) in new[] { (stored, replayed), (replayed, stored) })
        {
            foreach (var column in new[] { "metadata", "request_body" })
            {
                var (_, _, invocation) = await Seed.InvocationAsync(Db);
                var id = await CreateAgentStepAsync(Db, Step(invocation, column, first));
                Assert.Equal(id, await CreateAgentStepAsync(Db, Step(invocation, column, second)));
                Assert.Equal(1, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
            }
        }
    }

    private static NewAgentStep Step(Guid invocation, string column, string json) => column == "metadata"
        ? new NewAgentStep { InvocationId = invocation, StepNumber = 0, Metadata = Json(json) }
        : new NewAgentStep { InvocationId = invocation, StepNumber = 0, RequestBody = Json(json) };
}

public sealed class SqliteJsonReplayTests(SqliteFixture f) : JsonReplayTests<SqliteFixture>(f);

public sealed class PostgreSqlJsonReplayTests(PostgreSqlFixture f) : JsonReplayTests<PostgreSqlFixture>(f);
