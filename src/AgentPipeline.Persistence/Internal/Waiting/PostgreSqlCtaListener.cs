using Npgsql;

namespace AgentPipeline.Persistence.Internal.Waiting;

/// <summary>
/// PostgreSQL: one connection of its own (not from the pool) that runs
/// <c>LISTEN agentpipe_cta</c> and waits. The statements that resolve a CTA notify that channel with
/// the CTA's id as they commit (<see cref="CtaWatch.ReturningNotify"/>), so a waiter anywhere wakes
/// within a round trip of the answer.
/// </summary>
/// <remarks>
/// When the connection is lost (server restart, network, <c>pg_terminate_backend</c>) it connects
/// again, after 100 ms doubling up to 5 s, and once listening again asks in one query which of the
/// waited-for CTAs were resolved meanwhile: no answer given while no one listened is missed. A
/// slower poll, every <see cref="CtaWatch.DefaultSafetyPollInterval"/> (30 s), is the safety net for
/// anything else (a notification that cannot be delivered, a CTA resolved by hand in SQL).
/// The connection is opened when the first waiter arrives and closed when the last one leaves.
/// </remarks>
internal sealed class PostgreSqlCtaListener(string connectionString) : CtaWatcher
{
    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    public override async Task RunAsync(CtaWatch watch, CancellationToken stop)
    {
        var safetyNet = SafetyPollAsync(watch, stop);
        var delay = FirstReconnectDelay;
        while (!stop.IsCancellationRequested)
        {
            var connection = new NpgsqlConnection(connectionString);
            connection.Notification += (_, e) =>
            {
                if (Guid.TryParse(e.Payload, out var ctaId))
                {
                    watch.Wake(ctaId);
                }
            };
            try
            {
                await connection.OpenAsync(stop).ConfigureAwait(false);
                var listen = new NpgsqlCommand("LISTEN " + CtaWatch.Channel, connection);
                await using (listen.ConfigureAwait(false))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
                watch.SetListening(connection.ProcessID);
                // Whatever was resolved before LISTEN took effect: one query for every waiter.
                // If it fails, this connection is given up and the next one asks again.
                await watch.PollAsync(stop).ConfigureAwait(false);
                delay = FirstReconnectDelay;
                while (true)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or PipelinePersistenceException or IOException or TimeoutException or OperationCanceledException or ObjectDisposedException)
            {
                watch.SetListening(null);
                watch.Logger?.CtaListenerLost(e);
                try
                {
                    await Task.Delay(delay, TimeProvider.System, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
            finally
            {
                watch.SetListening(null);
                await DisposeQuietlyAsync(connection).ConfigureAwait(false);
            }
        }
        await safetyNet.ConfigureAwait(false);
    }

    private static async Task SafetyPollAsync(CtaWatch watch, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(watch.SafetyPollInterval, TimeProvider.System, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await watch.TryPollAsync(stop).ConfigureAwait(false);
        }
    }

    private static async Task DisposeQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or ObjectDisposedException)
        {
            // A broken connection is dropped either way; nothing waits on its closing.
        }
    }
}
