namespace AgentPipeline.Persistence;

/// <summary>
/// A whole run as <see cref="PipelinePersistence.GetRunTreeAsync"/> reads it, in one consistent snapshot:
/// its phases (by <c>started_at</c>) with their invocations, steps and tool calls, and its memory records and CTAs.
/// </summary>
public sealed record RunTree
{
    /// <summary>The run, with its sandbox and derived facts.</summary>
    public required FeatureRun Run { get; init; }

    /// <summary>Its phase results by <c>started_at</c>, then id.</summary>
    public IReadOnlyList<PhaseNode> Phases { get; init; } = [];

    /// <summary>Its memory records in creation order (as <see cref="PipelinePersistence.GetMemoryRecordsAsync"/> returns them).</summary>
    public IReadOnlyList<MemoryRecord> MemoryRecords { get; init; } = [];

    /// <summary>Its CTAs by <c>requested_at</c>, then id.</summary>
    public IReadOnlyList<CtaEvent> CtaEvents { get; init; } = [];
}
