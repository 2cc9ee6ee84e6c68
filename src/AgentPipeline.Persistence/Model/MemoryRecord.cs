namespace AgentPipeline.Persistence;

/// <summary>
/// A memory note as <see cref="PipelinePersistence.GetMemoryRecordsAsync"/> and
/// <see cref="PipelinePersistence.GetRunTreeAsync"/> return it: every column of <c>memory_records</c>.
/// </summary>
/// <param name="Id">The record's id.</param>
/// <param name="Phase">The phase it was written in.</param>
/// <param name="Kind">Insight, failure, decision or constraint.</param>
/// <param name="Content">The note.</param>
/// <param name="CreatedAt">When it was stored (UTC).</param>
public sealed record MemoryRecord(Guid Id, FeaturePhase Phase, MemoryKind Kind, string Content, DateTimeOffset CreatedAt)
{
    /// <summary><c>run_id</c>.</summary>
    public Guid RunId { get; init; }

    /// <summary><c>phase_result_id</c>: the phase result it was written under.</summary>
    public Guid PhaseResultId { get; init; }

    /// <summary><c>invocation_id</c>: the agent that wrote it, if given.</summary>
    public Guid? InvocationId { get; init; }
}
