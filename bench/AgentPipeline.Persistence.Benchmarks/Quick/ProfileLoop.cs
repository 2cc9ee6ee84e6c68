using System.Diagnostics;
using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Workloads;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// <c>--loop Operation|concurrent ours|baseline|ef Seconds [--provider …]</c>: one side's calls back to back for a
/// while, nothing else, for a profiler to attach to (e.g. <c>DOTNET_PerfMapEnabled=1</c> and
/// <c>perf record -g -p PID</c>, or <c>dotnet-trace collect -p PID</c>). Prints its pid first.
/// </summary>
internal static class ProfileLoop
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, PipelineProvider provider)
    {
        if (args[0].Equals("concurrent", StringComparison.OrdinalIgnoreCase))
        {
            return await ConcurrentAsync(args, provider);
        }
        var operation = PerCallWorkload.Operations.FirstOrDefault(o => o.Equals(args[0], StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--loop takes one of {string.Join(", ", PerCallWorkload.Operations)}.");
        var side = args[1].ToLowerInvariant() switch
        {
            "ours" => Side.Ours,
            "baseline" => Side.Baseline,
            "ef" => Side.EfNaive,
            var other => throw new ArgumentException($"--loop side is ours, baseline or ef, not '{other}'."),
        };
        var duration = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
        await using var workload = await PerCallWorkload.CreateAsync(operation, provider);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}: {operation} on {provider}, {side}, {duration.TotalSeconds:F0} s"));
        using var jit = new JitListener();
        using var wire = new NpgsqlWire();
        var (commands, written, read) = (0L, 0L, 0L);
        var postmaster = provider == PipelineProvider.PostgreSql ? BenchServer.PostmasterPid : null;
        var serverCpu = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var calls = 0L;
        var measuredCalls = 0L;
        var cpu = TimeSpan.Zero;
        var allocated = 0L;
        var measuredTime = TimeSpan.Zero;
        while (clock.Elapsed < duration)
        {
            await workload.PrepareAsync(side, 200);
            // The second half of the run is the steady state that is reported.
            var steady = clock.Elapsed > duration / 2;
            var cpu0 = ProcessCpu.Now();
            // Reading /proc allocates: outside the allocation window.
            var server0 = postmaster is { } p0 ? ProcessCpu.OfProcessTree(p0) : null;
            var bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            var wire0 = wire.Now;
            var time0 = clock.Elapsed;
            for (var i = 0; i < 200; i++)
            {
                await workload.CallAsync(side, i);
            }
            if (steady)
            {
                measuredTime += clock.Elapsed - time0;
                allocated += GC.GetTotalAllocatedBytes(precise: true) - bytes0;
                cpu += ProcessCpu.Now() - cpu0;
                if (server0 is { } s0 && postmaster is { } p1 && ProcessCpu.OfProcessTree(p1) is { } s1)
                {
                    serverCpu += s1 - s0;
                }
                var wire1 = wire.Now;
                commands += wire1.Commands - wire0.Commands;
                written += wire1.Written - wire0.Written;
                read += wire1.Read - wire0.Read;
                measuredCalls += 200;
            }
            calls += 200;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{calls:N0} calls; second half: {measuredTime.TotalMicroseconds / measuredCalls:F1} µs/call elapsed, {cpu.TotalMicroseconds / measuredCalls:F1} µs/call CPU (this process), {(double)allocated / measuredCalls:N0} B/call"));
        if (provider == PipelineProvider.PostgreSql)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Npgsql per call: {(double)commands / measuredCalls:F2} commands, {(double)written / measuredCalls:F0} bytes written, {(double)read / measuredCalls:F0} bytes read; server CPU {serverCpu.TotalMicroseconds / measuredCalls:F1} µs/call"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"methods compiled after the first 5 s: {jit.Late.Values.Sum()}"));
        foreach (var (method, count) in jit.Late.ToArray().OrderByDescending(kv => kv.Value).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,8} {method}"));
        }
        return 0;
    }

    /// <summary>16 writers (<see cref="ConcurrentWriteWorkload"/>), round after round.</summary>
    private static async Task<int> ConcurrentAsync(IReadOnlyList<string> args, PipelineProvider provider)
    {
        var side = args[1].Equals("ours", StringComparison.OrdinalIgnoreCase) ? Side.Ours : Side.Baseline;
        var duration = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
        await using var workload = await ConcurrentWriteWorkload.CreateAsync(provider);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}: 16 writers on {provider}, {side}, {duration.TotalSeconds:F0} s"));
        var clock = Stopwatch.StartNew();
        var rows = 0L;
        var measuredRows = 0L;
        var cpu = TimeSpan.Zero;
        var measuredTime = TimeSpan.Zero;
        while (clock.Elapsed < duration)
        {
            workload.Prepare(side, 10);
            var steady = clock.Elapsed > duration / 2;
            var cpu0 = ProcessCpu.Now();
            var time0 = clock.Elapsed;
            await workload.RunAsync(side);
            if (steady)
            {
                measuredTime += clock.Elapsed - time0;
                cpu += ProcessCpu.Now() - cpu0;
                measuredRows += ConcurrentWriteWorkload.Rows(10);
            }
            rows += ConcurrentWriteWorkload.Rows(10);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows:N0} rows; second half: {measuredRows / measuredTime.TotalSeconds:N0} rows/s, {cpu.TotalMicroseconds / measuredRows:F1} µs/row CPU (this process)"));
        return 0;
    }

    /// <summary>Counts the methods the JIT compiles once the loop should be warm (a steady state compiles nothing).</summary>
    private sealed class JitListener : System.Diagnostics.Tracing.EventListener
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Late { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x10); // JIT
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            if (_clock.Elapsed < TimeSpan.FromSeconds(5) || eventData.EventName is null || !eventData.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal)
                || eventData.PayloadNames is null)
            {
                return;
            }
            var ns = eventData.Payload![eventData.PayloadNames.IndexOf("MethodNamespace")] as string;
            var name = eventData.Payload[eventData.PayloadNames.IndexOf("MethodName")] as string;
            Late.AddOrUpdate($"{ns}::{name}", 1, (_, n) => n + 1);
        }
    }
}
