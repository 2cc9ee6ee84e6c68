using System.Diagnostics.Metrics;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// What Npgsql itself reports through its <c>Npgsql</c> meter, counted while listening: commands
/// executed (one <c>db.client.operation.duration</c> measurement each; a batch is one), and bytes
/// written to and read from the server. Per call, the same work on both sides should count the
/// same: a difference is an extra statement or a different encoding. Process-wide, so only
/// meaningful while one side runs alone (the loop mode).
/// </summary>
internal sealed class NpgsqlWire : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _commands;
    private long _written;
    private long _read;

    public NpgsqlWire()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name is "db.client.operation.duration"
                or "db.client.operation.npgsql.bytes_written" or "db.client.operation.npgsql.bytes_read")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Interlocked.Increment(ref _commands));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name.EndsWith("written", StringComparison.Ordinal))
            {
                Interlocked.Add(ref _written, value);
            }
            else
            {
                Interlocked.Add(ref _read, value);
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { });
        _listener.Start();
    }

    public (long Commands, long Written, long Read) Now =>
        (Interlocked.Read(ref _commands), Interlocked.Read(ref _written), Interlocked.Read(ref _read));

    public void Dispose() => _listener.Dispose();
}
