using AgentPipeline.Persistence.Benchmarks.Workloads;
using BenchmarkDotNet.Attributes;

namespace AgentPipeline.Persistence.Benchmarks.Benchmarks;

/// <summary>
/// 16 tasks writing at once on one <see cref="PipelineDb"/> (each: a step, then its two tool calls,
/// <see cref="LoopsPerTask"/> times). Times are per row (OperationsPerInvoke), so rows/s = 1 s / Mean.
/// The baseline commits every row on its own; naive EF Core is left out here (on SQLite its
/// 16 connections would mostly measure busy-waiting on the file lock).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RoundConfig))]
public class ConcurrentWrites
{
    public const int LoopsPerTask = 25;

    private ConcurrentWriteWorkload? _workload;

    [Params(PipelineProvider.Sqlite, PipelineProvider.PostgreSql)]
    public PipelineProvider Provider { get; set; }

    private ConcurrentWriteWorkload Workload => _workload ?? throw new InvalidOperationException("No global set-up ran.");

    [GlobalSetup]
    public void Setup() => _workload = ConcurrentWriteWorkload.CreateAsync(Provider).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _workload?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(Ours))]
    public void PrepareOurs() => Workload.Prepare(Side.Ours, LoopsPerTask);

    [IterationSetup(Target = nameof(AdoNet))]
    public void PrepareAdoNet() => Workload.Prepare(Side.Baseline, LoopsPerTask);

    [Benchmark(Description = "ours, 16 tasks", OperationsPerInvoke = ConcurrentWriteWorkload.Tasks * LoopsPerTask * ConcurrentWriteWorkload.RowsPerLoop)]
    public Task Ours() => Workload.RunAsync(Side.Ours);

    [Benchmark(Baseline = true, Description = "ADO.NET, 16 tasks, a commit per row", OperationsPerInvoke = ConcurrentWriteWorkload.Tasks * LoopsPerTask * ConcurrentWriteWorkload.RowsPerLoop)]
    public Task AdoNet() => Workload.RunAsync(Side.Baseline);
}
