using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    /// <summary>The longest <c>timeout</c> <see cref="WaitForCtaResolutionAsync"/> takes: 30 days.</summary>
    public static readonly TimeSpan MaxCtaWaitTimeout = TimeSpan.FromDays(30);

    // A transient failure after the first read is ridden out: the wait tries again after 1 s, doubling up to 30 s.
    private static readonly TimeSpan FirstWaitRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxWaitRetry = TimeSpan.FromSeconds(30);

    private static readonly Sql CtaWaitState = new(
        "SELECT run_id, requested_at, responded_at, timed_out, response_approved, response_reason, response_text, response_selected_id " +
        "FROM {s}.cta_events WHERE id = @id",
        [P("id", Col.Guid)],
        [P("run_id", Col.Guid), P("requested_at", Col.Time), P("responded_at", Col.Time), P("timed_out", Col.Bool),
         P("response_approved", Col.Bool), P("response_reason", Col.Text), P("response_text", Col.Text), P("response_selected_id", Col.Text)]);

    /// <summary>
    /// Waits until the CTA is resolved and returns how, as stored: answered by a human (through any
    /// handle, process or machine) or timed out. When <paramref name="timeout"/>, counted from the
    /// CTA's <c>requested_at</c>, passes first, it calls <see cref="TimeoutCtaEventAsync"/> itself;
    /// if an answer raced in, the answer won and is returned. Either way the caller and whoever
    /// resolved it see the same winner. A CTA already resolved returns at once.
    /// </summary>
    /// <remarks>
    /// <para>The deadline is <c>requested_at + timeout</c> on the handle's clock
    /// (<see cref="PipelineDbOptions.TimeProvider"/>), so an orchestrator that restarts and waits
    /// again keeps the same deadline (and one past it times the CTA out at once).</para>
    /// <para>It holds no connection while it waits. On PostgreSQL the statements that resolve a CTA
    /// notify channel <c>agentpipe_cta</c> (payload: the CTA's id) as they commit; one listening
    /// connection per <see cref="PipelineDb"/>, opened when the first wait starts and closed when
    /// the last ends, wakes the waiters. After that connection is lost it reconnects and re-checks
    /// every waited-for CTA, and every 30 s it polls as a safety net. On SQLite one poll per handle
    /// (50 ms, doubling to 2 s) asks which waited-for CTAs are resolved; answers and timeouts
    /// through the same handle wake their waiters at once. A transient database failure after the
    /// first read is ridden out (retried after 1 s, doubling to 30 s) until the CTA is resolved or
    /// the wait is cancelled.</para>
    /// </remarks>
    /// <param name="db">The handle.</param>
    /// <param name="ctaId">The CTA to wait for.</param>
    /// <param name="timeout">How long after <c>requested_at</c> the CTA times out: more than zero, at most <see cref="MaxCtaWaitTimeout"/> (30 days).</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>; the CTA stays open.</param>
    /// <returns>The winning resolution: <see cref="CtaResolution.TimedOut"/>, the stored <see cref="CtaResolution.Response"/>, and <c>responded_at</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="ctaId"/> is the empty Guid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero, negative or over 30 days.</exception>
    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled; the CTA was left as it was.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed (before or during the wait).</exception>
    /// <exception cref="PipelineDatabaseException">The database failed on the first read.</exception>
    public static async Task<CtaResolution> WaitForCtaResolutionAsync(PipelineDb db, Guid ctaId, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(ctaId, nameof(ctaId));
        if (timeout <= TimeSpan.Zero || timeout > MaxCtaWaitTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                $"timeout must be more than zero and at most {MaxCtaWaitTimeout.TotalDays:0} days (it is counted from the CTA's requested_at).");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = db.CtaWatch.Register(ctaId);
        try
        {
            var first = true;
            var retry = FirstWaitRetry;
            while (true)
            {
                // Armed before reading: a wake-up while the read is in flight makes the loop read again.
                var woken = waiter.Signal.Arm();
                if (waiter.Failure is not null)
                {
                    throw new ObjectDisposedException(nameof(PipelineDb), "The PipelineDb was disposed while waiting for the CTA.");
                }
                TimeSpan wait;
                try
                {
                    var row = await db.RunAsync(write: false, (session, ct) => ReadCtaWaitAsync(session, ctaId, ct), cancellationToken)
                        .ConfigureAwait(false);
                    first = false;
                    if (row.Resolution is { } resolution)
                    {
                        return resolution;
                    }
                    waiter.RunId = row.RunId;
                    var remaining = row.RequestedAt + timeout - db.Now();
                    if (remaining <= TimeSpan.Zero)
                    {
                        try
                        {
                            await TimeoutCtaEventAsync(db, ctaId, cancellationToken).ConfigureAwait(false);
                        }
                        catch (CtaAlreadyResolvedException lost)
                        {
                            return lost.Resolution; // an answer came first: it is the winner
                        }
                        continue; // reads the stored timeout back
                    }
                    // Requested in the future of this clock (another machine's): look again within the longest timeout.
                    wait = remaining < MaxCtaWaitTimeout ? remaining : MaxCtaWaitTimeout;
                    retry = FirstWaitRetry;
                    db.CtaWatch.SleepObserver?.Invoke(ctaId);
                }
                catch (PipelineDatabaseException e) when (e.IsTransient && !first)
                {
                    wait = retry;
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxWaitRetry.Ticks));
                }
                try
                {
                    await woken.WaitAsync(wait, db.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The deadline (or the retry's delay) came: look again.
                }
            }
        }
        finally
        {
            db.CtaWatch.Unregister(waiter);
        }
    }

    /// <summary>What a wait needs of its CTA's row.</summary>
    private sealed record CtaWaitRow(Guid RunId, DateTimeOffset RequestedAt, CtaResolution? Resolution);

    private static async Task<CtaWaitRow> ReadCtaWaitAsync(Session session, Guid ctaId, CancellationToken cancellationToken) =>
        await session.ReadFirstAsync(CtaWaitState, [ctaId], static (d, r) =>
        {
            CtaResolution? resolution = null;
            if (!r.IsDBNull(2))
            {
                var timedOut = d.ReadBool(r, 3);
                resolution = new CtaResolution(timedOut,
                    timedOut ? null : new CtaResponse
                    {
                        Approved = r.IsDBNull(4) ? null : d.ReadBool(r, 4),
                        Reason = r.IsDBNull(5) ? null : d.ReadText(r, 5),
                        Text = r.IsDBNull(6) ? null : d.ReadText(r, 6),
                        SelectedId = r.IsDBNull(7) ? null : d.ReadText(r, 7),
                    },
                    d.ReadTime(r, 2));
            }
            return new CtaWaitRow(d.ReadGuid(r, 0), d.ReadTime(r, 1), resolution);
        }, cancellationToken).ConfigureAwait(false)
        ?? throw new RecordNotFoundException("cta_events", ctaId.ToString());
}
