namespace AgentPipeline.Persistence.Internal.Waiting;

/// <summary>
/// The one background task of a <see cref="CtaWatch"/> that learns of CTAs resolved elsewhere
/// (another handle, process or machine): <see cref="PostgreSqlCtaListener"/> or
/// <see cref="SqliteCtaPoller"/>. It runs while anyone waits and is stopped when no one does.
/// </summary>
internal abstract class CtaWatcher
{
    /// <summary>Runs until <paramref name="stop"/> is cancelled; never throws for a database failure (it logs and carries on).</summary>
    public abstract Task RunAsync(CtaWatch watch, CancellationToken stop);

    /// <summary>Told when a waiter arrives (the SQLite poller starts again from its shortest interval).</summary>
    public virtual void WaiterArrived()
    {
    }
}
