namespace AgentPipeline.Cli.Demo;

/// <summary>
/// The simulated time the demo's runs happen in, so that what <c>show</c> and <c>stats</c> report
/// looks like real work (a model call takes seconds, a human answers in minutes) although the
/// demo runs in a second or two. The store stamps every <c>*_at</c> column from it, and the demo
/// moves it forward as its agents "work".
/// </summary>
/// <remarks>
/// The runs are laid out back to back in slots that end before the real now, so a run still
/// waiting for its human was asked a few minutes ago, and answering it from the terminal stamps a
/// later time than the question. Durations are drawn from <see cref="Random.Shared"/>: they are
/// not part of the seeded story, like ids.
/// </remarks>
internal sealed class DemoClock : TimeProvider
{
    /// <summary>Room for one run; the simulated runs take about 15 to 30 minutes each.</summary>
    public static readonly TimeSpan Slot = TimeSpan.FromMinutes(40);

    private readonly DateTimeOffset _origin;
    private long _elapsedTicks;

    /// <param name="runs">How many runs will be laid out; they end around <paramref name="now"/>.</param>
    /// <param name="now">The real time.</param>
    public DemoClock(int runs, DateTimeOffset now) => _origin = now - Slot * runs;

    public override DateTimeOffset GetUtcNow() => _origin.AddTicks(Interlocked.Read(ref _elapsedTicks));

    /// <summary>Moves time on; safe to call from agents running in parallel.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _elapsedTicks, Math.Max(0, by.Ticks));

    /// <summary>Advances by a random duration between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public void Advance(TimeSpan min, TimeSpan max) =>
        Advance(min + (max - min) * Random.Shared.NextDouble());

    /// <summary>Starts run <paramref name="index"/> at its slot, a little after it opens (or now, if the previous run overran).</summary>
    public void StartRun(int index)
    {
        var start = (Slot * index + TimeSpan.FromMinutes(Random.Shared.Next(0, 6))).Ticks;
        long current;
        do
        {
            current = Interlocked.Read(ref _elapsedTicks);
            if (current >= start)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _elapsedTicks, start, current) != current);
    }
}
