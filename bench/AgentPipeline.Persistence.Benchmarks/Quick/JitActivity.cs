using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// Watches the JIT. The runtime compiles hot methods again, optimized, on a background thread,
/// and only after a quiet spell with no new methods; until it has, one side may run half-optimized
/// code and the compiler's own CPU time lands in whatever is being measured. Quick mode waits for
/// <see cref="QuietAsync"/> before measuring and reports how many methods were compiled while it measured.
/// </summary>
internal sealed class JitActivity : EventListener
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastCompileTicks;
    private long _compiled;

    /// <summary>Methods compiled since this listener started.</summary>
    public long Compiled => Interlocked.Read(ref _compiled);

    private TimeSpan SinceLastCompile => _clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastCompileTicks));

    /// <summary>Runs <paramref name="exercise"/> until no method was compiled for <paramref name="quiet"/>, or until <paramref name="limit"/>.</summary>
    public async Task QuietAsync(Func<Task> exercise, TimeSpan quiet, TimeSpan limit)
    {
        var until = _clock.Elapsed + limit;
        while (_clock.Elapsed < until)
        {
            await exercise();
            if (SinceLastCompile >= quiet)
            {
                return;
            }
            await Task.Delay(quiet / 2);
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10); // JIT: MethodLoadVerbose per compiled method
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is { } name && name.StartsWith("MethodLoad", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _compiled);
            Interlocked.Exchange(ref _lastCompileTicks, _clock.Elapsed.Ticks);
        }
    }
}
