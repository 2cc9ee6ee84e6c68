using System.Diagnostics.Metrics;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// The library's group-commit batches and the rows they held, read from its public
/// <see cref="System.Diagnostics.Metrics"/> instruments (meter <c>AgentPipeline.Persistence</c>)
/// as any application can. Counts every handle of the process: the benchmark keeps one library
/// handle writing while it reads these.
/// </summary>
internal sealed class GroupCommitMeter : IDisposable
{
    private const string MeterName = "AgentPipeline.Persistence";
    private const string BatchesName = "agentpipeline.persistence.group_commit.batches";
    private const string BatchRowsName = "agentpipeline.persistence.group_commit.batch_rows";

    private readonly MeterListener _listener = new();
    private long _batches;
    private long _rows;

    public GroupCommitMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is BatchesName or BatchRowsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == BatchesName)
            {
                Interlocked.Add(ref _batches, value);
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == BatchRowsName)
            {
                Interlocked.Add(ref _rows, value);
            }
        });
        _listener.Start();
    }

    /// <summary>Batches committed and the rows they held since this meter started.</summary>
    public (long Batches, long Rows) Totals => (Interlocked.Read(ref _batches), Interlocked.Read(ref _rows));

    public void Dispose() => _listener.Dispose();
}
