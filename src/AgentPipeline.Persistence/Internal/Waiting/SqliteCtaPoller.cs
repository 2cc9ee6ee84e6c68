namespace AgentPipeline.Persistence.Internal.Waiting;

/// <summary>
/// SQLite has no notifications between processes, so one loop per handle asks which of the
/// waited-for CTAs are resolved, in one query: first after <see cref="CtaWatch.DefaultFirstPollInterval"/>
/// (50 ms), each next interval doubled up to <see cref="CtaWatch.DefaultMaxPollInterval"/> (2 s), and back
/// to 50 ms when a new waiter arrives. Answers given through the same handle wake their waiters at
/// once without it (<see cref="CtaWatch.Wake"/>).
/// </summary>
internal sealed class SqliteCtaPoller : CtaWatcher
{
    private readonly Signal _arrived = new();

    public override void WaiterArrived() => _arrived.Set();

    public override async Task RunAsync(CtaWatch watch, CancellationToken stop)
    {
        var interval = watch.FirstPollInterval;
        while (!stop.IsCancellationRequested)
        {
            var arrived = _arrived.Arm();
            try
            {
                await arrived.WaitAsync(interval, TimeProvider.System, stop).ConfigureAwait(false);
                interval = watch.FirstPollInterval; // a new waiter: it reads its own row; poll soon again
                continue;
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            await watch.TryPollAsync(stop).ConfigureAwait(false);
            interval = interval == Timeout.InfiniteTimeSpan ? interval : TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, watch.MaxPollInterval.Ticks));
        }
    }
}
