using AgentPipeline.Persistence.Benchmarks.Workloads;
using BenchmarkDotNet.Attributes;

namespace AgentPipeline.Persistence.Benchmarks.Benchmarks;

/// <summary>
/// One operation, three ways, per provider: ours (the library), the baseline (hand-written prepared
/// ADO.NET doing the same database work, <c>Baseline = true</c>) and naive EF Core. Every case runs
/// in its own process on a fresh database; the rows a call acts on are made in the untimed
/// iteration set-up.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerCallConfig))]
public abstract class PerCallBenchmark
{
    private PerCallWorkload? _workload;
    private int _next;

    [Params(PipelineProvider.Sqlite, PipelineProvider.PostgreSql)]
    public PipelineProvider Provider { get; set; }

    protected abstract string Operation { get; }

    private PerCallWorkload Workload => _workload ?? throw new InvalidOperationException("No global set-up ran.");

    [GlobalSetup]
    public void Setup() => _workload = PerCallWorkload.CreateAsync(Operation, Provider).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _workload?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(Ours))]
    public void PrepareOurs() => Prepare(Side.Ours);

    [IterationSetup(Target = nameof(AdoNet))]
    public void PrepareAdoNet() => Prepare(Side.Baseline);

    [IterationSetup(Target = nameof(EfNaive))]
    public void PrepareEfNaive() => Prepare(Side.EfNaive);

    [Benchmark(Description = "ours")]
    public Task Ours() => Workload.CallAsync(Side.Ours, _next++);

    [Benchmark(Baseline = true, Description = "ADO.NET baseline")]
    public Task AdoNet() => Workload.CallAsync(Side.Baseline, _next++);

    [Benchmark(Description = "EF Core naive")]
    public Task EfNaive() => Workload.CallAsync(Side.EfNaive, _next++);

    private void Prepare(Side side)
    {
        // BenchmarkDotNet invokes PerCallConfig.Calls times per iteration; a little slack covers its jitting call.
        Workload.PrepareAsync(side, PerCallConfig.Calls + 8).GetAwaiter().GetResult();
        _next = 0;
    }
}

public class CreateAgentStep : PerCallBenchmark
{
    protected override string Operation => nameof(CreateAgentStep);
}

public class CreateToolCall : PerCallBenchmark
{
    protected override string Operation => nameof(CreateToolCall);
}

public class CreateMemoryRecord : PerCallBenchmark
{
    protected override string Operation => nameof(CreateMemoryRecord);
}

public class CompleteAgentInvocation : PerCallBenchmark
{
    protected override string Operation => nameof(CompleteAgentInvocation);
}

public class PassPhaseResult : PerCallBenchmark
{
    protected override string Operation => nameof(PassPhaseResult);
}

public class CompleteCtaEvent : PerCallBenchmark
{
    protected override string Operation => nameof(CompleteCtaEvent);
}

/// <summary>A run's 1,000 memory records, in order.</summary>
public class GetMemoryRecords : PerCallBenchmark
{
    protected override string Operation => nameof(GetMemoryRecords);
}
