using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace AgentPipeline.Persistence.Benchmarks.Benchmarks;

/// <summary>
/// Per-call operations: a fixed <see cref="Calls"/> invocations per iteration, so that each
/// iteration's rows (open invocations to complete, …) can be made beforehand in an untimed
/// <c>[IterationSetup]</c>. 3 warm-up and 10 measured iterations in one process: on 2 cores that
/// is about 5–15 s per case, enough for stable medians of calls that take 20 µs–2 ms.
/// </summary>
public sealed class PerCallConfig : ManualConfig
{
    public const int Calls = 200;

    public PerCallConfig()
    {
        AddJob(Job.Default.WithId("per-call")
            .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10)
            .WithInvocationCount(Calls).WithUnrollFactor(1));
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>Whole runs and concurrent rounds take 0.1–3 s each: one invocation per iteration, few iterations.</summary>
public sealed class RoundConfig : ManualConfig
{
    public RoundConfig()
    {
        AddJob(Job.Default.WithId("round")
            .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8)
            .WithInvocationCount(1).WithUnrollFactor(1));
        AddColumn(StatisticColumn.Median);
    }
}
