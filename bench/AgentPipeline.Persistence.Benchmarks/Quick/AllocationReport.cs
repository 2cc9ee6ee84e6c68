using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Workloads;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// <c>--alloc Operation [--provider …]</c>: where the bytes of one call go, ours next to the
/// baseline. The runtime reports an allocation sample about every 100 KB with the type that
/// crossed the threshold (GCAllocationTick), so over a few thousand calls the sampled bytes per
/// type are proportional to what each call allocates of it.
/// </summary>
internal static class AllocationReport
{
    private const long TargetBytes = 256L * 1024 * 1024;

    public static async Task<int> RunAsync(string operation, IReadOnlyList<PipelineProvider> providers)
    {
        var name = PerCallWorkload.Operations.FirstOrDefault(o => o.Equals(operation, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--alloc takes one of {string.Join(", ", PerCallWorkload.Operations)}.");
        // One listener for the whole run: a second one in the same process may see no events.
        using var sampler = new Sampler();
        foreach (var provider in providers)
        {
            await using var workload = await PerCallWorkload.CreateAsync(name, provider);
            var results = new Dictionary<Side, (Dictionary<string, double> PerType, double PerCall)>();
            foreach (var side in new[] { Side.Ours, Side.Baseline })
            {
                await RunCallsAsync(workload, side, 50);
                await workload.PrepareAsync(side, 50);
                var before = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < 50; i++)
                {
                    await workload.CallAsync(side, i);
                }
                var perCall = (GC.GetTotalAllocatedBytes(precise: true) - before) / 50.0;
                var calls = (int)Math.Clamp(TargetBytes / Math.Max(perCall, 1), 200, 20000);
                sampler.Start();
                await RunCallsAsync(workload, side, calls);
                results[side] = (sampler.Stop().ToDictionary(kv => kv.Key, kv => kv.Value / (double)calls), perCall);
            }
            Print(name, provider, results[Side.Ours], results[Side.Baseline]);
        }
        return 0;
    }

    /// <summary>Calls in chunks, each chunk's inputs prepared first; a sample may land in the preparation: the input records show up as a small line of their own.</summary>
    private static async Task RunCallsAsync(PerCallWorkload workload, Side side, int calls)
    {
        for (var done = 0; done < calls;)
        {
            // Prepared in chunks: seeding the rows of 20,000 completions at once is slow for nothing.
            var chunk = Math.Min(500, calls - done);
            await workload.PrepareAsync(side, chunk);
            for (var i = 0; i < chunk; i++)
            {
                await workload.CallAsync(side, i);
            }
            done += chunk;
        }
    }

    private static void Print(string operation, PipelineProvider provider,
        (Dictionary<string, double> PerType, double PerCall) ours, (Dictionary<string, double> PerType, double PerCall) baseline)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{operation} on {provider}: ours {ours.PerCall:N0} B/call, baseline {baseline.PerCall:N0} B/call (exact); by type (sampled, ≈ B/call):"));
        Console.WriteLine();
        Console.WriteLine("| type | ours | baseline | ours − baseline |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var type in ours.PerType.Keys.Union(baseline.PerType.Keys)
                     .OrderByDescending(t => Math.Abs(ours.PerType.GetValueOrDefault(t) - baseline.PerType.GetValueOrDefault(t))).Take(20))
        {
            var o = ours.PerType.GetValueOrDefault(type);
            var b = baseline.PerType.GetValueOrDefault(type);
            Console.WriteLine(string.Create(c, $"| {type} | {o:N0} | {b:N0} | {o - b:+#,0;-#,0;0} |"));
        }
    }

    private sealed class Sampler : EventListener
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
        private volatile bool _on;

        public void Start()
        {
            _bytes.Clear();
            _on = true;
        }

        public Dictionary<string, long> Stop()
        {
            _on = false;
            return new Dictionary<string, long>(_bytes, StringComparer.Ordinal);
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: GCAllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (!_on || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
            {
                return;
            }
            var type = eventData.Payload![eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            var amount = Convert.ToInt64(eventData.Payload[amountIndex >= 0 ? amountIndex : eventData.PayloadNames.IndexOf("AllocationAmount")], CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
        }
    }
}
