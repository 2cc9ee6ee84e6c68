using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// api.md rule 5: an answer and a timeout fired at once from two separate handles (two pools, as
/// two machines would have) on the same database: exactly one wins, every time.
/// </summary>
public abstract class CtaRaceTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    public const int Trials = 200;

    [Fact]
    public async Task Answer_and_timeout_racing_from_two_handles_have_exactly_one_winner_every_time()
    {
        await using var human = PipelineDb.Open(Fixture.Target);
        await using var timer = PipelineDb.Open(Fixture.Target);
        var run = await Seed.RunAsync(Db);
        var answerWins = 0;
        var timeoutWins = 0;

        for (var trial = 0; trial < Trials; trial++)
        {
            var cta = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = $"trial {trial}" });
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var answer = Task.Run(async () => { await start.Task; await CompleteCtaEventAsync(human, cta, CtaResponse.Approve($"human {trial}")); });
            var timeout = Task.Run(async () => { await start.Task; await TimeoutCtaEventAsync(timer, cta); });
            start.SetResult();
            var outcomes = await Task.WhenAll(Outcome(answer), Outcome(timeout));

            var row = await Fixture.RowAsync("cta_events", cta);
            Assert.NotNull(row["responded_at"]);
            if (outcomes[0] is null)
            {
                answerWins++;
                var loss = Assert.IsType<CtaAlreadyResolvedException>(outcomes[1]);
                Assert.Equal(CtaResponse.Approve($"human {trial}"), loss.Resolution.Response);
                Assert.False(AsBool(row["timed_out"]));
                Assert.True(AsBool(row["response_approved"]));
                Assert.Equal($"human {trial}", row["response_reason"]);
            }
            else
            {
                timeoutWins++;
                Assert.Null(outcomes[1]);
                var loss = Assert.IsType<CtaAlreadyResolvedException>(outcomes[0]);
                Assert.True(loss.Resolution.TimedOut);
                Assert.True(AsBool(row["timed_out"]));
                Assert.Null(row["response_approved"]);
                Assert.Null(row["response_reason"]);
            }
        }

        Assert.Equal(Trials, answerWins + timeoutWins);
    }

    private static async Task<Exception?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}

public sealed class SqliteCtaRaceTests(SqliteFixture f) : CtaRaceTests<SqliteFixture>(f);
public sealed class PostgreSqlCtaRaceTests(PostgreSqlFixture f) : CtaRaceTests<PostgreSqlFixture>(f);
