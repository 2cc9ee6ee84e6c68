namespace AgentPipeline.Persistence.Benchmarks.Workloads;

/// <summary>The three ways of doing the same work that every comparison measures.</summary>
internal enum Side
{
    /// <summary>The library: <see cref="PipelinePersistence"/>.</summary>
    Ours,

    /// <summary>Hand-written prepared ADO.NET (<see cref="Baseline.RawStore"/>).</summary>
    Baseline,

    /// <summary>A new EF Core context per call (<see cref="Naive.EfNaiveStore"/>).</summary>
    EfNaive,
}
