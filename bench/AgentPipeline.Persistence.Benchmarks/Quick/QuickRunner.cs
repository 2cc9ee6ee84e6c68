using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Naive;
using AgentPipeline.Persistence.Benchmarks.Workloads;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// The quick comparison (<c>--quick</c>): no BenchmarkDotNet, one process, one database per
/// operation. For each operation it warms all three sides up, then runs rounds in which ours, the
/// baseline and naive EF Core each make a batch of calls back to back (the order rotating from
/// round to round, a full GC before every batch), and reports the median over rounds of each
/// side's time per call and bytes allocated per call; on PostgreSQL the elapsed-time comparison of
/// ours and the baseline comes from rounds of interleaved blocks instead (<see cref="InterleavedAsync"/>). Then the concurrent case: 16 tasks, ours
/// against a commit per row, alternating, median rows/s. It measures; it asserts nothing.
/// </summary>
internal static class QuickRunner
{
    /// <summary>A measured batch of one side aims at about this long, to keep the whole run under 2 minutes.</summary>
    private static readonly TimeSpan BatchTarget = TimeSpan.FromMilliseconds(35);

    /// <summary>Calls each side makes before any is measured; with the pauses between them, long enough for tier-1 code.</summary>
    private static readonly TimeSpan WarmUpTarget = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan ConcurrentRoundTarget = TimeSpan.FromMilliseconds(600);

    public static async Task<int> RunAsync(QuickOptions options)
    {
        var total = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        using var jit = new JitActivity();
        var perCall = new List<PerCallResult>();
        var concurrent = new List<ConcurrentResult>();
        var realistic = new List<RealisticResult>();
        var migrate = new List<MigrateMeasurement.Result>();
        var servers = new List<string>();
        if (options.Reads == ReadsMode.Cta)
        {
            await Reads.CtaProfile.RunAsync(what => Progress($"SQLite: {what}"));
            Console.WriteLine($"{Build()}; load average before {loadBefore}, after {LoadAverage()}; {total.Elapsed.TotalSeconds:F0} s in all");
            return 0;
        }
        if (options.Reads == ReadsMode.Tree)
        {
            foreach (var provider in options.Providers)
            {
                await Reads.TreeProfile.RunAsync(provider, what => Progress($"{Name(provider)}: {what}"));
            }
            Console.WriteLine($"{Build()}; load average before {loadBefore}, after {LoadAverage()}; {total.Elapsed.TotalSeconds:F0} s in all");
            return 0;
        }
        if (options.Reads != ReadsMode.None)
        {
            var reads = new List<Reads.ReadsMeasurement.Result>();
            foreach (var provider in options.Providers)
            {
                Progress($"reads at scale on {Name(provider)}");
                reads.Add(await Reads.ReadsMeasurement.MeasureAsync(provider, options.Reads == ReadsMode.Small, what => Progress($"{Name(provider)}: {what}")));
            }
            Console.WriteLine($"{Build()}; load average before {loadBefore}, after {LoadAverage()}; {total.Elapsed.TotalSeconds:F0} s in all");
            Reads.ReadsMeasurement.Print(reads, options.ShowPlans);
            return 0;
        }
        foreach (var provider in options.Providers)
        {
            servers.Add(provider == PipelineProvider.Sqlite
                ? SqliteDescription()
                : await BenchServer.DescribeAsync() + (BenchServer.PerCallDurable
                    ? "; per-call databases wait for every commit's flush (--pg-durable-per-call)"
                    : "; per-call databases: synchronous_commit=off (the flush is left out: --pg-durable-per-call puts it back); concurrent: durable"));
            foreach (var operation in options.Operations)
            {
                Progress($"{operation} on {Name(provider)}");
                perCall.Add(await MeasureAsync(operation, provider, options.Rounds, jit, options.WithEf,
                    jitWait: operation == options.Operations[0] ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(0.5)));
            }
            if (options.Concurrent)
            {
                Progress($"{ConcurrentWriteWorkload.Writers} concurrent writers on {Name(provider)}");
                concurrent.Add(await MeasureConcurrentAsync(provider, Math.Max(4, options.Rounds / 4)));
            }
            if (options.Migrate)
            {
                Progress($"migrate, up to date on {Name(provider)}");
                migrate.Add(await MigrateMeasurement.MeasureAsync(provider, options.Rounds));
            }
            if (options.Realistic)
            {
                Progress($"a whole realistic run on {Name(provider)}");
                realistic.Add(await MeasureRealisticAsync(provider, Math.Max(3, options.Rounds / 3)));
            }
        }
        Print(perCall, concurrent, realistic, migrate, servers, options, total.Elapsed, loadBefore, LoadAverage());
        return 0;
    }

    /// <summary>Per call: elapsed µs, this process's CPU µs (all threads), bytes allocated.</summary>
    private sealed record Sample(double Microseconds, double CpuMicroseconds, double Bytes);

    /// <summary>
    /// Medians over rounds. The ratios are medians of each round's own ratio: the sides of one round
    /// run back to back, so whatever else the machine was doing at that moment weighs on all of them.
    /// </summary>
    private sealed record PerCallResult(string Operation, PipelineProvider Provider, long CompiledWhileMeasuring, Sample Ours, Sample Baseline, Sample EfNaive,
        double TimeRatio, double CpuRatio, double EfRatio, double AllocRatio, int Calls, int EfCalls);

    private sealed record RealisticResult(PipelineProvider Provider, Sample Ours, Sample Baseline, Sample EfNaive, double TimeRatio, double EfRatio, double AllocRatio);

    private sealed record ConcurrentResult(PipelineProvider Provider, double OursRowsPerSecond, double BaselineRowsPerSecond, double Ratio, int RowsPerRound,
        double OursCpuPerRow, double BaselineCpuPerRow, double SingleWriterRowsPerSecond, double OursServerCpuPerRow, double BaselineServerCpuPerRow,
        double MeanBatch, double BatchedShare);

    /// <param name="jitWait">How long to wait at most for the background JIT: long for a provider's first operation, when EF Core's
    /// thousands of methods are queued for recompilation ahead of ours and the baseline's.</param>
    private static async Task<PerCallResult> MeasureAsync(string operation, PipelineProvider provider, int rounds, JitActivity jit, bool withEf,
        TimeSpan jitWait)
    {
        await using var workload = await PerCallWorkload.CreateAsync(operation, provider);
        Side[] sides = withEf ? [Side.Ours, Side.Baseline, Side.EfNaive] : [Side.Ours, Side.Baseline];

        // Warm-up: JIT and tiering (the runtime recompiles hot code in the background, after a short
        // quiet delay: the library's longer code path would be measured half-optimized otherwise),
        // pools, prepared statements, EF's model and query caches.
        var estimate = new double[3];
        estimate[2] = double.NaN;
        // EF Core first: its code is queued for the background JIT first, so ours and the baseline's
        // are not left waiting behind it.
        foreach (var side in sides.Reverse())
        {
            var warm = TimeSpan.Zero;
            var perCall = new List<double>();
            for (var pass = 0; pass < 12 && (pass < 3 || warm < WarmUpTarget); pass++)
            {
                var batch = await BatchAsync(workload, side, 20);
                warm += TimeSpan.FromMicroseconds(batch.Microseconds * 20);
                perCall.Add(batch.Microseconds);
                await Task.Delay(30);
            }
            // The median pass: one slow pass (a WAL checkpoint, a busy neighbour) must not shrink the batches.
            estimate[(int)side] = Median(perCall);
        }
        var calls = BatchSize(Math.Max(estimate[0], estimate[1]), 20, 2500);
        var efCalls = double.IsNaN(estimate[2]) ? 0 : BatchSize(estimate[2], 8, 200);
        // Until the background JIT has gone quiet, keep all three sides' code hot.
        await jit.QuietAsync(async () =>
        {
            foreach (var side in sides)
            {
                await BatchAsync(workload, side, side == Side.EfNaive ? Math.Min(efCalls, 10) : Math.Min(calls, 30));
            }
        }, TimeSpan.FromMilliseconds(250), jitWait);
        var compiledBefore = jit.Compiled;

        var samples = new Sample[rounds, 3];
        var skipped = new Sample(double.NaN, double.NaN, double.NaN);
        for (var round = 0; round < rounds; round++)
        {
            samples[round, (int)Side.EfNaive] = skipped;
            foreach (var side in Order(sides, round))
            {
                samples[round, (int)side] = await BatchAsync(workload, side, side == Side.EfNaive ? efCalls : calls);
            }
        }
        List<double> Column(Func<int, double> f) => [.. Enumerable.Range(0, rounds).Select(f)];
        Sample Of(int side) => new(Median(Column(r => samples[r, side].Microseconds)), Median(Column(r => samples[r, side].CpuMicroseconds)),
            Median(Column(r => samples[r, side].Bytes)));
        var (ours, baseline) = (Of(0), Of(1));
        var timeRatio = Median(Column(r => samples[r, 0].Microseconds / samples[r, 1].Microseconds));
        if (provider == PipelineProvider.PostgreSql)
        {
            // Elapsed time on PostgreSQL from interleaved blocks (see InterleavedAsync); CPU, allocations and EF from the batches.
            var interleaved = await InterleavedAsync(workload, Math.Max(2, calls / (2 * InterleavedBlock)), 4 * rounds);
            (ours, baseline, timeRatio) = (ours with { Microseconds = interleaved.Ours }, baseline with { Microseconds = interleaved.Baseline }, interleaved.Ratio);
        }
        return new PerCallResult(operation, provider, jit.Compiled - compiledBefore, ours, baseline, Of(2),
            timeRatio,
            Median(Column(r => samples[r, 0].CpuMicroseconds / samples[r, 1].CpuMicroseconds)),
            Median(Column(r => samples[r, 2].Microseconds / samples[r, 0].Microseconds)),
            Median(Column(r => samples[r, 0].Bytes / samples[r, 1].Bytes)),
            calls, efCalls);
    }

    /// <summary>Calls a side makes in a row in <see cref="InterleavedAsync"/>.</summary>
    private const int InterleavedBlock = 8;

    /// <summary>
    /// PostgreSQL's elapsed-time comparison: rounds in which ours and the baseline take turns every
    /// <see cref="InterleavedBlock"/> calls (blocks in ABBA order, the side that starts alternating
    /// from round to round), each call timed, so that both sides meet the same moments of a busy
    /// machine within a few milliseconds instead of one 35 ms batch after the other. Per round, the
    /// ratio of the sides' total times (every call counts, slow ones too); returned: the median of
    /// those over rounds, and each side's median over rounds of its mean call time.
    /// </summary>
    /// <remarks>
    /// Not call by call: work a call leaves running after it returns (a connection going back to
    /// the pool, thread-pool threads spinning) would then be timed on the other side's next call;
    /// in blocks it falls on the side's own next call but once a block. Not on SQLite: there each
    /// side must pay for checkpointing the pages it wrote (see <see cref="BatchAsync"/>), which
    /// needs a side's calls together.
    /// </remarks>
    private static async Task<(double Ratio, double Ours, double Baseline)> InterleavedAsync(PerCallWorkload workload, int blocksPerSide, int rounds)
    {
        var calls = InterleavedBlock * blocksPerSide;
        var ratios = new List<double>(rounds);
        var oursMeans = new List<double>(rounds);
        var baselineMeans = new List<double>(rounds);
        var times = new[] { new double[calls], new double[calls] };
        for (var round = 0; round < rounds; round++)
        {
            await workload.PrepareAsync(Side.Ours, calls);
            await workload.PrepareAsync(Side.Baseline, calls);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var next = new int[2];
            for (var block = 0; block < 2 * blocksPerSide; block++)
            {
                // ABBA ABBA … (BAAB … on odd rounds): each side goes first, and follows the other, equally often.
                var side = ((block + 1) / 2 + round) % 2 == 0 ? Side.Ours : Side.Baseline;
                var s = (int)side;
                for (var k = 0; k < InterleavedBlock; k++, next[s]++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await workload.CallAsync(side, next[s]);
                    times[s][next[s]] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
            var (oursTotal, baselineTotal) = (times[0].Sum(), times[1].Sum());
            ratios.Add(oursTotal / baselineTotal);
            oursMeans.Add(oursTotal / calls);
            baselineMeans.Add(baselineTotal / calls);
        }
        return (Median(ratios), Median(oursMeans), Median(baselineMeans));
    }

    /// <summary>
    /// One timed batch of sequential calls. Allocations are the process's total (precise) over the
    /// batch, as BenchmarkDotNet's MemoryDiagnoser counts them: a PostgreSQL call continues on
    /// thread-pool threads after its I/O, so the calling thread's own counter would miss most of it.
    /// Nothing else runs during a batch.
    /// </summary>
    private static async Task<Sample> BatchAsync(PerCallWorkload workload, Side side, int calls)
    {
        await workload.PrepareAsync(side, calls);
        await workload.Database.SettleWalAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Reading the CPU time allocates (it reads /proc): outside the allocation window.
        var cpu = ProcessCpu.Now();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            await workload.CallAsync(side, i);
        }
        var checkpointBytes = GC.GetTotalAllocatedBytes(precise: true);
        await workload.Database.CheckpointOwnPagesAsync();
        var elapsed = clock.Elapsed;
        // The checkpoint's own connection is the benchmark's, not a side's: its allocations are left out.
        allocated = checkpointBytes - allocated;
        cpu = ProcessCpu.Now() - cpu;
        return new Sample(elapsed.TotalMicroseconds / calls, cpu.TotalMicroseconds / calls, (double)allocated / calls);
    }

    private static async Task<ConcurrentResult> MeasureConcurrentAsync(PipelineProvider provider, int rounds)
    {
        await using var workload = await ConcurrentWriteWorkload.CreateAsync(provider);
        Side[] sides = [Side.Ours, Side.Baseline];
        // Warm-up round per side (it also opens the connections 16 writers need), then size the rounds.
        var slowest = double.MaxValue;
        foreach (var side in sides)
        {
            await RoundAsync(workload, side, 4);
            slowest = Math.Min(slowest, (await RoundAsync(workload, side, 6)).RowsPerSecond);
        }
        var loops = Math.Clamp((int)(ConcurrentRoundTarget.TotalSeconds * slowest / ConcurrentWriteWorkload.Rows(1)), 4, 200);
        // Only ours' handle writes through the library while the rounds run: the meter's totals are its batches.
        using var meter = new GroupCommitMeter();
        var ours = new List<(double RowsPerSecond, double CpuPerRow, double ServerCpuPerRow)>();
        var baseline = new List<(double RowsPerSecond, double CpuPerRow, double ServerCpuPerRow)>();
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // ABBA order: a slow drift of the machine weighs on both sides alike.
            (double RowsPerSecond, double CpuPerRow, double ServerCpuPerRow) o, b;
            if (round % 2 == 0)
            {
                o = await RoundAsync(workload, Side.Ours, loops);
                b = await RoundAsync(workload, Side.Baseline, loops);
            }
            else
            {
                b = await RoundAsync(workload, Side.Baseline, loops);
                o = await RoundAsync(workload, Side.Ours, loops);
            }
            ours.Add(o);
            baseline.Add(b);
            ratios.Add(o.RowsPerSecond / b.RowsPerSecond);
        }
        var (batches, batchedRows) = meter.Totals;
        var meanBatch = batches == 0 ? 0 : (double)batchedRows / batches;
        var batchedShare = (double)batchedRows / (rounds * ConcurrentWriteWorkload.Rows(loops, ConcurrentWriteWorkload.Writers));
        // Reference: the same loop by one writer alone, a commit per row (what "one flush per commit" looks like here).
        var single = new List<double>();
        for (var round = 0; round < 2; round++)
        {
            single.Add((await RoundAsync(workload, Side.Baseline, Math.Max(4, loops / 2), tasks: 1)).RowsPerSecond);
        }
        return new ConcurrentResult(provider, Median([.. ours.Select(x => x.RowsPerSecond)]), Median([.. baseline.Select(x => x.RowsPerSecond)]), Median(ratios),
            ConcurrentWriteWorkload.Rows(loops, ConcurrentWriteWorkload.Writers), Median([.. ours.Select(x => x.CpuPerRow)]), Median([.. baseline.Select(x => x.CpuPerRow)]), Median(single),
            Median([.. ours.Select(x => x.ServerCpuPerRow)]), Median([.. baseline.Select(x => x.ServerCpuPerRow)]), meanBatch, batchedShare);
    }

    /// <summary>Whole runs (<see cref="RealisticRunWorkload"/>), the three sides back to back per round; a sample is one run (µs, bytes).</summary>
    private static async Task<RealisticResult> MeasureRealisticAsync(PipelineProvider provider, int rounds)
    {
        await using var workload = await RealisticRunWorkload.CreateAsync(provider);
        Side[] sides = [Side.Ours, Side.Baseline, Side.EfNaive];
        foreach (var side in sides)
        {
            await OneRunAsync(workload, side);
        }
        var samples = new Sample[rounds, 3];
        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in Order(sides, round))
            {
                samples[round, (int)side] = await OneRunAsync(workload, side);
            }
        }
        List<double> Column(Func<int, double> f) => [.. Enumerable.Range(0, rounds).Select(f)];
        Sample Of(int side) => new(Median(Column(r => samples[r, side].Microseconds)), Median(Column(r => samples[r, side].CpuMicroseconds)),
            Median(Column(r => samples[r, side].Bytes)));
        return new RealisticResult(provider, Of(0), Of(1), Of(2),
            Median(Column(r => samples[r, 0].Microseconds / samples[r, 1].Microseconds)),
            Median(Column(r => samples[r, 2].Microseconds / samples[r, 0].Microseconds)),
            Median(Column(r => samples[r, 0].Bytes / samples[r, 1].Bytes)));
    }

    private static async Task<Sample> OneRunAsync(RealisticRunWorkload workload, Side side)
    {
        await workload.Database.SettleWalAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await workload.RunAsync(side);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        await workload.Database.CheckpointOwnPagesAsync();
        return new Sample(clock.Elapsed.TotalMicroseconds, double.NaN, allocated);
    }

    /// <summary>One round of all tasks; returns rows per second, this process's CPU µs per row and the server's (NaN when unknown).</summary>
    private static async Task<(double RowsPerSecond, double CpuPerRow, double ServerCpuPerRow)> RoundAsync(ConcurrentWriteWorkload workload, Side side,
        int loopsPerTask, int tasks = 0)
    {
        tasks = tasks == 0 ? ConcurrentWriteWorkload.Writers : tasks;
        workload.Prepare(side, loopsPerTask, tasks);
        await workload.Database.SettleWalAsync();
        GC.Collect();
        var postmaster = workload.Provider == PipelineProvider.PostgreSql ? BenchServer.PostmasterPid : null;
        var server = postmaster is { } p ? ProcessCpu.OfProcessTree(p) : null;
        var cpu = ProcessCpu.Now();
        var clock = Stopwatch.StartNew();
        await workload.RunAsync(side);
        await workload.Database.CheckpointOwnPagesAsync();
        var elapsed = clock.Elapsed;
        cpu = ProcessCpu.Now() - cpu;
        var serverAfter = postmaster is { } q ? ProcessCpu.OfProcessTree(q) : null;
        var rows = ConcurrentWriteWorkload.Rows(loopsPerTask, tasks);
        return (rows / elapsed.TotalSeconds, cpu.TotalMicroseconds / rows,
            server is { } s0 && serverAfter is { } s1 ? (s1 - s0).TotalMicroseconds / rows : double.NaN);
    }

    /// <summary>
    /// The sides' order in a round: every ordering in turn (six for three sides, ABBA for two), so
    /// that each side follows each other side equally often and nothing one leaves behind weighs
    /// on one particular other.
    /// </summary>
    internal static Side[] Order(Side[] sides, int round)
    {
        if (sides.Length == 2)
        {
            return round % 4 is 0 or 3 ? sides : [sides[1], sides[0]];
        }
        int[][] permutations = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1], [2, 1, 0], [1, 0, 2]];
        return [.. permutations[round % permutations.Length].Select(i => sides[i])];
    }

    private static int BatchSize(double microsecondsPerCall, int min, int max) =>
        Math.Clamp((int)(BatchTarget.TotalMicroseconds / Math.Max(1, microsecondsPerCall)), min, max);

    private static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static string Name(PipelineProvider provider) => provider == PipelineProvider.Sqlite ? "SQLite" : "PostgreSQL";

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private static void Progress(string what) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{Clock.Elapsed.TotalSeconds,5:F1} s] {what} …"));

    /// <summary>The 1-minute load average: other work on the machine is the main source of noise.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static void Print(List<PerCallResult> perCall, List<ConcurrentResult> concurrent, List<RealisticResult> realistic, List<MigrateMeasurement.Result> migrate, List<string> servers, QuickOptions options, TimeSpan elapsed,
        string loadBefore, string loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"Quick comparison: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
                          $"{(Debugger.IsAttached ? "debugger attached, " : "")}{Build()} build");
        foreach (var server in servers)
        {
            Console.WriteLine($"  {server}");
        }
        if (perCall.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Per call, medians of {options.Rounds} rounds, sides back to back in each; PostgreSQL's elapsed times from {4 * options.Rounds} rounds of interleaved blocks " +
                              $"of {InterleavedBlock} calls (goals: ours/baseline ≤ 1.20, EF/ours ≥ 2.0, allocations ours/baseline ≤ 2.0)");
            Console.WriteLine();
            Console.WriteLine("| operation | provider | ours µs | baseline µs | ours/baseline | CPU ours/baseline | EF naive µs | EF/ours | ours B/call | baseline B/call | alloc ratio | misses |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var r in perCall)
            {
                var (time, ef, alloc) = (r.TimeRatio, r.EfRatio, r.AllocRatio);
                var misses = string.Join(", ", new[] { time > 1.2 ? "time" : null, alloc > 2.0 ? "alloc" : null, ef < 2.0 ? "EF" : null }.OfType<string>());
                var efMicroseconds = double.IsNaN(r.EfNaive.Microseconds) ? "–" : r.EfNaive.Microseconds.ToString("F1", c);
                var efRatio = double.IsNaN(ef) ? "–" : ef.ToString("F2", c) + "×";
                Console.WriteLine(string.Create(c,
                    $"| {r.Operation} | {Name(r.Provider)} | {r.Ours.Microseconds:F1} | {r.Baseline.Microseconds:F1} | {time:F2}× | {r.CpuRatio:F2}× | " +
                    $"{efMicroseconds} | {efRatio} | {r.Ours.Bytes:N0} | {r.Baseline.Bytes:N0} | {alloc:F2}× | {(misses.Length == 0 ? "–" : misses)} |"));
            }
            Console.WriteLine();
            Console.WriteLine("µs: elapsed time per call. CPU ours/baseline: this process's CPU time per call (the client side: the same SQL costs the server the same), " +
                              "which other load on the machine disturbs far less than elapsed time.");
            Console.WriteLine(string.Create(c, $"Methods the JIT compiled while measuring (0 is a steady state): {string.Join(", ", perCall.Select(r => r.CompiledWhileMeasuring))}."));
            Console.WriteLine(string.Create(c, $"Batches: ours and baseline {string.Join("/", perCall.Select(r => r.Calls).Distinct())} calls, EF naive {string.Join("/", perCall.Select(r => r.EfCalls).Distinct())} calls per round; GetMemoryRecords reads {GetMemoryRecordsWorkload.Records} records{(EfNaiveStore.ProjectsReads ? "; EF reads them through a projection (--ef-projection)" : "; EF reads them as EF's default tracked entities (--ef-projection: through a projection)")}."));
        }
        if (concurrent.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(c, $"{ConcurrentWriteWorkload.Writers} concurrent tasks, each: CreateAgentStep then 2 × CreateToolCall (goals, at 16: ours/baseline ≥ 4 on PostgreSQL, ≥ 2 on SQLite){(BenchDatabase.MinWriters is { } min ? $"; ours with GroupCommitMinWriters = {min}" : "")}"));
            Console.WriteLine();
            Console.WriteLine("| workload | provider | ours rows/s | baseline rows/s (a commit per row) | ours/baseline | client CPU µs/row ours / baseline | server CPU µs/row ours / baseline | 1 writer, a commit per row: rows/s | ours/1 writer | rows per round | ours: rows per batch (share of rows batched) |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in concurrent)
            {
                Console.WriteLine(string.Create(c,
                    $"| {ConcurrentWriteWorkload.Writers} writers | {Name(r.Provider)} | {r.OursRowsPerSecond:N0} | {r.BaselineRowsPerSecond:N0} | {r.Ratio:F2}× | " +
                    $"{r.OursCpuPerRow:F0} / {r.BaselineCpuPerRow:F0} | {Server(r)} | {r.SingleWriterRowsPerSecond:N0} | {r.OursRowsPerSecond / r.SingleWriterRowsPerSecond:F2}× | {r.RowsPerRound:N0} | {r.MeanBatch:F1} ({r.BatchedShare:P0}) |"));
            }
        }
        if (realistic.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("A whole run: 5 phases, 40 invocations (7 sub-agents at once per phase), 400 steps, 800 tool calls, 50 memory records, 3 CTAs, about 1,360 calls");
            Console.WriteLine();
            Console.WriteLine("| workload | provider | ours ms | baseline ms | ours/baseline | EF naive ms | EF/ours | ours MB | baseline MB | alloc ratio |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in realistic)
            {
                Console.WriteLine(string.Create(c,
                    $"| realistic run | {Name(r.Provider)} | {r.Ours.Microseconds / 1000:F0} | {r.Baseline.Microseconds / 1000:F0} | {r.TimeRatio:F2}× | " +
                    $"{r.EfNaive.Microseconds / 1000:F0} | {r.EfRatio:F2}× | {r.Ours.Bytes / 1048576:F1} | {r.Baseline.Bytes / 1048576:F1} | {r.AllocRatio:F2}× |"));
            }
        }
        MigrateMeasurement.Print(migrate);
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Measured in {elapsed.TotalSeconds:F0} s (including database set-up{(options.Providers.Contains(PipelineProvider.PostgreSql) ? " and the PostgreSQL start" : "")}); " +
            $"load average {loadBefore} before, {loadAfter} after ({Environment.ProcessorCount} cores: above that, other work was competing)."));
    }

    private static string Server(ConcurrentResult r) =>
        double.IsNaN(r.OursServerCpuPerRow) || double.IsNaN(r.BaselineServerCpuPerRow)
            ? (r.Provider == PipelineProvider.Sqlite ? "(in process)" : "–")
            : string.Create(CultureInfo.InvariantCulture, $"{r.OursServerCpuPerRow:F0} / {r.BaselineServerCpuPerRow:F0}");

    private static string SqliteDescription()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        return $"SQLite {connection.ServerVersion} (WAL, synchronous=NORMAL), a file in the temp folder";
    }

    private static string Build() =>
        typeof(QuickRunner).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled)
            ? "Debug (numbers are not meaningful: use -c Release)"
            : "Release";
}
