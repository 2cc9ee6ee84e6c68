using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Robustness;

/// <summary>
/// A cancellation token fired while a call is under way never leaves a partial write: a create is all or nothing
/// (a run and its sandbox claim), a completion is all or nothing. Two of every three trials fire the token from
/// inside the call, when it reads the clock for its timestamp: inside the run's transaction after the sandbox was
/// claimed, and inside the completion after its session opened. The third fires a timer at a random point.
/// </summary>
public abstract class CancellationTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private const int Trials = 150;

    [Fact]
    public async Task Cancelled_calls_leave_each_write_whole_or_absent_and_the_handle_usable()
    {
        var random = new Random(4242);
        var clock = new CancellingClock(Clock);
        var db = PipelineDb.Open(Fixture.Target, clock);
        await using var _ = db;
        var (_, phase) = await Seed.PhaseAsync(db);
        int forced = 0, forcedCancelled = 0, midFlight = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var sandbox = $"sbx_cancel_{Guid.NewGuid():N}";
            await CreateSandboxRecordAsync(db, new NewSandboxRecord { Id = sandbox });
            var runId = Guid.NewGuid();
            var invocation = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder });
            using var cts = new CancellationTokenSource();
            var mode = trial % 3;
            if (mode == 0)
            {
                cts.CancelAfter(TimeSpan.FromTicks(random.Next(0, 30_000)));
            }

            if (mode == 1)
            {
                forced++;
                clock.CancelOnNextRead(cts);
            }
            var (cancelled, started) = await Outcome(cts, () => CreateFeatureRunAsync(db, new NewFeatureRun { Id = runId, Prompt = "p", SandboxId = sandbox }, cts.Token));
            forcedCancelled += mode == 1 && cancelled ? 1 : 0;
            midFlight += cancelled && started ? 1 : 0;

            if (mode == 2)
            {
                forced++;
                clock.CancelOnNextRead(cts);
            }
            (cancelled, started) = await Outcome(cts, () => CompleteAgentInvocationAsync(db, invocation, AgentInvocationTests<TFixture>.FullCompletion(), cts.Token));
            forcedCancelled += mode == 2 && cancelled ? 1 : 0;
            midFlight += cancelled && started ? 1 : 0;
            clock.Disarm();

            var runs = await Fixture.CountAsync("feature_runs", "id = @id", ("id", runId));
            var claimedBy = StoreFixture.AsGuid((await Fixture.RowAsync("sandboxes", sandbox))["run_id"]);
            Assert.Equal(runs == 1, claimedBy == runId);
            Assert.True(runs == 1 || claimedBy is null);
            if (mode == 1)
            {
                Assert.Equal(0, runs); // cancelled after the claim, inside the transaction: the claim is rolled back
            }
            var row = await Fixture.RowAsync("agent_invocations", invocation);
            var completed = row["completed_at"] is not null;
            Assert.False(mode == 2 && completed);
            foreach (var column in new[] { "output_text", "finish_reason", "response_body", "input_tokens", "usage_raw", "step_count" })
            {
                Assert.Equal(completed, row[column] is not null);
            }
        }

        // Every forced cancellation reached its call while it ran, so at least those are mid-flight.
        Assert.Equal(Trials * 2 / 3, forced);
        Assert.Equal(forced, forcedCancelled);
        Assert.True(midFlight >= forced, $"{midFlight} mid-flight cancellations, {forced} forced");

        // The handle is still fine after all that: a normal call succeeds.
        Assert.NotEqual(Guid.Empty, await Seed.RunAsync(db));
    }

    // Whether the call was cancelled, and whether the token was still live when it began (a mid-flight cancellation).
    private static async Task<(bool Cancelled, bool Started)> Outcome(CancellationTokenSource cts, Func<Task> call)
    {
        var started = !cts.IsCancellationRequested;
        try
        {
            await call();
            return (false, started);
        }
        catch (OperationCanceledException)
        {
            return (true, started);
        }
    }

    /// <summary>The test's clock, which can cancel a token the next time the store reads it (from inside a call).</summary>
    private sealed class CancellingClock(ManualClock inner) : TimeProvider
    {
        private CancellationTokenSource? _armed;

        public void CancelOnNextRead(CancellationTokenSource cts) => Volatile.Write(ref _armed, cts);

        public void Disarm() => Volatile.Write(ref _armed, null);

        public override DateTimeOffset GetUtcNow()
        {
            Interlocked.Exchange(ref _armed, null)?.Cancel();
            return inner.GetUtcNow();
        }
    }
}

public sealed class SqliteCancellationTests(SqliteFixture f) : CancellationTests<SqliteFixture>(f);
public sealed class PostgreSqlCancellationTests(PostgreSqlFixture f) : CancellationTests<PostgreSqlFixture>(f);
