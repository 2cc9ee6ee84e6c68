using AgentPipeline.Persistence.Benchmarks.Workloads;
using BenchmarkDotNet.Attributes;

namespace AgentPipeline.Persistence.Benchmarks.Benchmarks;

/// <summary>
/// One whole feature run per invocation (<see cref="RealisticRunWorkload"/>: 5 phases, 40
/// invocations, 400 steps, 800 tool calls, 50 memory records, 3 CTAs, sub-agents in parallel),
/// three ways. Each iteration writes a new run into the same database.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RoundConfig))]
public class RealisticRun
{
    private RealisticRunWorkload? _workload;

    [Params(PipelineProvider.Sqlite, PipelineProvider.PostgreSql)]
    public PipelineProvider Provider { get; set; }

    private RealisticRunWorkload Workload => _workload ?? throw new InvalidOperationException("No global set-up ran.");

    [GlobalSetup]
    public void Setup() => _workload = RealisticRunWorkload.CreateAsync(Provider).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _workload?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "ours")]
    public Task Ours() => Workload.RunAsync(Side.Ours);

    [Benchmark(Baseline = true, Description = "ADO.NET baseline")]
    public Task AdoNet() => Workload.RunAsync(Side.Baseline);

    [Benchmark(Description = "EF Core naive")]
    public Task EfNaive() => Workload.RunAsync(Side.EfNaive);
}
