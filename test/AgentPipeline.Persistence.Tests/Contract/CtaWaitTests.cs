using System.Collections.Concurrent;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// <see cref="PipelinePersistence.WaitForCtaResolutionAsync"/>: woken by an answer from anywhere,
/// times the CTA out itself at requested_at + timeout, one winner for both sides of a race,
/// cancellation and disposal end it with the CTA left open. A test acts while a wait is certainly
/// asleep through the handle's sleep observer, never by sleeping itself.
/// </summary>
public abstract class CtaWaitTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    public const int RaceTrials = 100;
    public const int ManyWaiters = 200;

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private async Task<Guid> CtaAsync(PipelineDb? db = null, Guid? run = null) =>
        await CreateCtaEventAsync(db ?? Db, new NewCtaEvent { RunId = run ?? await Seed.RunAsync(db ?? Db), Kind = CtaKind.Text, RequestPrompt = "Which DB?" });

    /// <summary>Completes once <paramref name="count"/> different CTAs' waits on <paramref name="db"/> have read their CTA open and gone to sleep.</summary>
    internal static Task SleepingAsync(PipelineDb db, int count = 1)
    {
        var asleep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentDictionary<Guid, bool>();
        db.CtaWatch.SleepObserver = cta =>
        {
            if (seen.TryAdd(cta, true) && seen.Count >= count)
            {
                asleep.TrySetResult();
            }
        };
        return Guard(asleep.Task);
    }

    /// <summary>A hang guard, not a timing assertion: far beyond PostgreSQL's 30 s safety-net poll.</summary>
    internal static Task<T> Guard<T>(Task<T> task) => task.WaitAsync(TimeSpan.FromMinutes(2));

    /// <inheritdoc cref="Guard{T}(Task{T})"/>
    internal static Task Guard(Task task) => task.WaitAsync(TimeSpan.FromMinutes(2));

    private async Task AssertStoredAsync(Guid cta, CtaResolution resolution)
    {
        var row = await Fixture.RowAsync("cta_events", cta);
        Assert.Equal(resolution.ResolvedAt, AsTime(row["responded_at"]));
        Assert.Equal(resolution.TimedOut, AsBool(row["timed_out"]));
        Assert.Equal(resolution.Response?.Text, row["response_text"]);
    }

    [Fact]
    public async Task An_answer_through_another_handle_wakes_the_wait_with_that_answer()
    {
        var cta = await CtaAsync();
        var humanClock = new ManualClock(Clock.Now.AddMinutes(5));
        var human = Fixture.Open(humanClock);
        Db.CtaWatch.SafetyPollInterval = Timeout.InfiniteTimeSpan; // PostgreSQL: only the notification can wake it
        var asleep = SleepingAsync(Db);

        var waiting = WaitForCtaResolutionAsync(Db, cta, Day);
        await asleep;
        await CompleteCtaEventAsync(human, cta, CtaResponse.WithText("PostgreSQL"));
        var resolution = await Guard(waiting);

        Assert.Equal(new CtaResolution(false, CtaResponse.WithText("PostgreSQL"), humanClock.Now), resolution);
        await AssertStoredAsync(cta, resolution);
    }

    [Fact]
    public async Task An_answer_through_the_same_handle_wakes_the_wait()
    {
        var cta = await CtaAsync();
        // No polling at all: only the handle's own wake-up (and on PostgreSQL its notification) can end the wait.
        Db.CtaWatch.FirstPollInterval = Timeout.InfiniteTimeSpan;
        Db.CtaWatch.SafetyPollInterval = Timeout.InfiniteTimeSpan;
        var asleep = SleepingAsync(Db);

        var waiting = WaitForCtaResolutionAsync(Db, cta, Day);
        await asleep;
        var answeredAt = Clock.Advance(TimeSpan.FromMinutes(1));
        await CompleteCtaEventAsync(Db, cta, CtaResponse.WithText("SQLite"));

        Assert.Equal(new CtaResolution(false, CtaResponse.WithText("SQLite"), answeredAt), await Guard(waiting));
    }

    [Fact]
    public async Task A_cta_already_answered_returns_its_answer_without_waiting()
    {
        var cta = await CtaAsync();
        var answeredAt = Clock.Advance(TimeSpan.FromMinutes(3));
        await CompleteCtaEventAsync(Db, cta, CtaResponse.WithText("done"));
        var slept = false;
        Db.CtaWatch.SleepObserver = _ => slept = true;

        var resolution = await WaitForCtaResolutionAsync(Db, cta, TimeSpan.FromMinutes(1));

        Assert.Equal(new CtaResolution(false, CtaResponse.WithText("done"), answeredAt), resolution);
        Assert.False(slept);
        Assert.Equal(0, Db.CtaWatch.Count);
    }

    [Fact]
    public async Task A_wait_started_after_the_deadline_times_the_cta_out_at_once_and_returns_that()
    {
        // An orchestrator restarting after its deadline: requested_at + timeout is already past.
        var cta = await CtaAsync();
        var now = Clock.Advance(TimeSpan.FromMinutes(2));

        var resolution = await WaitForCtaResolutionAsync(Db, cta, TimeSpan.FromMinutes(1));

        Assert.Equal(new CtaResolution(true, null, now), resolution);
        await AssertStoredAsync(cta, resolution);
        // The human who answers late loses, and is told the same winner.
        var late = await Assert.ThrowsAsync<CtaAlreadyResolvedException>(() => CompleteCtaEventAsync(Db, cta, CtaResponse.WithText("late")));
        Assert.Equal(resolution, late.Resolution);
    }

    [Fact]
    public async Task A_wait_whose_deadline_comes_while_it_sleeps_times_the_cta_out()
    {
        // The system clock: the deadline is real, a fraction of a second after requested_at.
        var db = Fixture.Open();
        var cta = await CtaAsync(db);
        var asleep = SleepingAsync(db);

        var resolution = await Guard(WaitForCtaResolutionAsync(db, cta, TimeSpan.FromMilliseconds(200)));

        Assert.True(asleep.IsCompleted, "the wait should have slept until its deadline");
        Assert.True(resolution.TimedOut);
        Assert.Null(resolution.Response);
        await AssertStoredAsync(cta, resolution);
    }

    [Fact]
    public async Task Failing_the_run_ends_the_wait_with_the_cta_timed_out()
    {
        var run = await Seed.RunAsync(Db);
        var cta = await CtaAsync(run: run);
        var other = Fixture.Open();
        Db.CtaWatch.SafetyPollInterval = Timeout.InfiniteTimeSpan; // PostgreSQL: only the notification can wake it
        var asleep = SleepingAsync(Db);

        var waiting = WaitForCtaResolutionAsync(Db, cta, Day);
        await asleep;
        await FailFeatureRunAsync(other, run);
        var resolution = await Guard(waiting);

        Assert.True(resolution.TimedOut);
        await AssertStoredAsync(cta, resolution);
    }

    [Fact]
    public async Task An_answer_and_the_timeout_at_the_same_instant_have_one_winner_that_both_sides_report()
    {
        var human = Fixture.Open();
        var run = await Seed.RunAsync(Db);
        var answers = 0;
        for (var trial = 0; trial < RaceTrials; trial++)
        {
            var cta = await CtaAsync(run: run);
            Clock.Advance(TimeSpan.FromMinutes(2)); // past the 1-minute deadline: the wait times it out at once
            var answer = CtaResponse.WithText($"human {trial}");
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiting = Task.Run(async () => { await start.Task; return await WaitForCtaResolutionAsync(Db, cta, TimeSpan.FromMinutes(1)); });
            var answering = Task.Run(async () => { await start.Task; await CompleteCtaEventAsync(human, cta, answer); });
            start.SetResult();

            var resolution = await Guard(waiting);
            Exception? lost = null;
            try
            {
                await answering;
            }
            catch (CtaAlreadyResolvedException e)
            {
                lost = e;
            }

            if (lost is null)
            {
                answers++;
                Assert.False(resolution.TimedOut, $"trial {trial}: the answer was stored, yet the wait reported a timeout");
                Assert.Equal(answer, resolution.Response);
            }
            else
            {
                Assert.True(resolution.TimedOut, $"trial {trial}: the answer lost, yet the wait did not report the timeout");
                Assert.Equal(resolution, ((CtaAlreadyResolvedException)lost).Resolution);
            }
            await AssertStoredAsync(cta, resolution);
        }
        Assert.InRange(answers, 0, RaceTrials);
    }

    [Fact]
    public async Task Cancelling_a_wait_throws_and_leaves_the_cta_open()
    {
        var cta = await CtaAsync();
        var asleep = SleepingAsync(Db);
        using var cancel = new CancellationTokenSource();

        var waiting = WaitForCtaResolutionAsync(Db, cta, Day, cancel.Token);
        await asleep;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Guard(waiting));
        var row = await Fixture.RowAsync("cta_events", cta);
        Assert.Null(row["responded_at"]);
        Assert.False(AsBool(row["timed_out"]));
        Assert.Equal(0, Db.CtaWatch.Count);
        Assert.False(Db.CtaWatch.Watching); // the last waiter gone, the listener or poller stops
        // The CTA can still be waited for and answered.
        var again = WaitForCtaResolutionAsync(Db, cta, Day);
        await CompleteCtaEventAsync(Fixture.Open(), cta, CtaResponse.WithText("after all"));
        Assert.Equal(CtaResponse.WithText("after all"), (await Guard(again)).Response);
    }

    [Fact]
    public async Task Disposing_the_handle_ends_a_wait_with_ObjectDisposedException_and_leaves_the_cta_open()
    {
        var cta = await CtaAsync();
        var db = PipelineDb.Open(Fixture.Target, Clock);
        var asleep = SleepingAsync(db);

        var waiting = WaitForCtaResolutionAsync(db, cta, Day);
        await asleep;
        await db.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Guard(waiting));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => WaitForCtaResolutionAsync(db, cta, Day));
        Assert.Null((await Fixture.RowAsync("cta_events", cta))["responded_at"]);
    }

    [Fact]
    public async Task Many_waiters_on_one_handle_each_wake_with_their_own_answer()
    {
        var run = await Seed.RunAsync(Db);
        var ctas = new Guid[ManyWaiters];
        for (var i = 0; i < ctas.Length; i++)
        {
            ctas[i] = await CtaAsync(run: run);
        }
        var waiter = Fixture.Open(Clock); // the clock the CTAs were requested on: their deadline is a day away
        var asleep = SleepingAsync(waiter, ManyWaiters);

        var waits = ctas.Select(cta => WaitForCtaResolutionAsync(waiter, cta, Day)).ToArray();
        await Guard(asleep);
        Assert.Equal(ManyWaiters, waiter.CtaWatch.Count);
        // Answered from another handle, in reverse order, some at once.
        await Parallel.ForEachAsync(Enumerable.Range(0, ManyWaiters).Reverse(), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await CompleteCtaEventAsync(Db, ctas[i], CtaResponse.WithText($"answer {i}"), ct));
        var resolutions = await Guard(Task.WhenAll(waits));

        for (var i = 0; i < ManyWaiters; i++)
        {
            Assert.Equal(CtaResponse.WithText($"answer {i}"), resolutions[i].Response);
        }
        Assert.Equal(0, waiter.CtaWatch.Count);
    }

    [Fact]
    public async Task Two_waits_on_one_cta_both_get_the_answer()
    {
        var cta = await CtaAsync();
        var other = Fixture.Open(Clock);
        var asleep = SleepingAsync(Db);
        var first = WaitForCtaResolutionAsync(Db, cta, Day);
        await asleep;
        var second = WaitForCtaResolutionAsync(other, cta, Day);

        await CompleteCtaEventAsync(Fixture.Open(), cta, CtaResponse.WithText("both"));

        Assert.Equal(await Guard(first), await Guard(second));
    }

    [Fact]
    public async Task Bad_arguments_are_refused_naming_them_and_a_missing_cta_is_not_found()
    {
        var cta = await CtaAsync();
        Assert.Equal("ctaId", (await Assert.ThrowsAsync<ArgumentException>(() => WaitForCtaResolutionAsync(Db, Guid.Empty, Day))).ParamName);
        foreach (var bad in new[] { TimeSpan.Zero, TimeSpan.FromTicks(-1), TimeSpan.FromDays(30).Add(TimeSpan.FromTicks(1)), TimeSpan.MaxValue })
        {
            var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => WaitForCtaResolutionAsync(Db, cta, bad));
            Assert.Equal("timeout", e.ParamName);
        }
        await Assert.ThrowsAsync<ArgumentNullException>(() => WaitForCtaResolutionAsync(null!, cta, Day));
        var missing = Guid.NewGuid();
        var notFound = await Assert.ThrowsAsync<RecordNotFoundException>(() => WaitForCtaResolutionAsync(Db, missing, Day));
        Assert.Contains(missing.ToString(), notFound.Message, StringComparison.Ordinal);
        Assert.Null((await Fixture.RowAsync("cta_events", cta))["responded_at"]);
        Assert.Equal(0, Db.CtaWatch.Count);
        // 30 days exactly is allowed (and, the CTA being open and young, waits; cancelled here).
        using var cancel = new CancellationTokenSource();
        var asleep = SleepingAsync(Db);
        var month = WaitForCtaResolutionAsync(Db, cta, TimeSpan.FromDays(30), cancel.Token);
        await asleep;
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => month);
    }
}

public sealed class SqliteCtaWaitTests(SqliteFixture f) : CtaWaitTests<SqliteFixture>(f);
public sealed class PostgreSqlCtaWaitTests(PostgreSqlFixture f) : CtaWaitTests<PostgreSqlFixture>(f);
