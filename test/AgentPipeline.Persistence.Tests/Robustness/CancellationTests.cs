using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Robustness;

/// <summary>
/// A cancellation token fired at random points never leaves a partial write: a create is all or
/// nothing (a run and its sandbox claim), a completion is all or nothing.
/// </summary>
public abstract class CancellationTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private const int Trials = 150;

    [Fact]
    public async Task Cancelled_calls_leave_each_write_whole_or_absent_and_the_handle_usable()
    {
        var random = new Random(4242);
        var (_, phase) = await Seed.PhaseAsync(Db);
        for (var trial = 0; trial < Trials; trial++)
        {
            var sandbox = $"sbx_cancel_{Guid.NewGuid():N}";
            await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox });
            var runId = Guid.NewGuid();
            var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder });
            using var cts = new CancellationTokenSource();
            cts.CancelAfter(TimeSpan.FromTicks(random.Next(0, 30_000)));

            await Outcome(() => CreateFeatureRunAsync(Db, new NewFeatureRun { Id = runId, Prompt = "p", SandboxId = sandbox }, cts.Token));
            await Outcome(() => CompleteAgentInvocationAsync(Db, invocation, AgentInvocationTests<TFixture>.FullCompletion(), cts.Token));

            var runs = await Fixture.CountAsync("feature_runs", "id = @id", ("id", runId));
            var claimedBy = StoreFixture.AsGuid((await Fixture.RowAsync("sandboxes", sandbox))["run_id"]);
            Assert.Equal(runs == 1, claimedBy == runId);
            Assert.True(runs == 1 || claimedBy is null);
            var row = await Fixture.RowAsync("agent_invocations", invocation);
            var completed = row["completed_at"] is not null;
            foreach (var column in new[] { "output_text", "finish_reason", "response_body", "input_tokens", "usage_raw", "step_count" })
            {
                Assert.Equal(completed, row[column] is not null);
            }
        }

        // The handle is still fine after all that: a normal call succeeds.
        Assert.NotEqual(Guid.Empty, await Seed.RunAsync(Db));
    }

    private static async Task Outcome(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (OperationCanceledException)
        {
            // expected at random points
        }
    }
}

public sealed class SqliteCancellationTests(SqliteFixture f) : CancellationTests<SqliteFixture>(f);
public sealed class PostgreSqlCancellationTests(PostgreSqlFixture f) : CancellationTests<PostgreSqlFixture>(f);
