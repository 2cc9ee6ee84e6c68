namespace AgentPipeline.Persistence;

/// <summary>A memory note as <see cref="PipelinePersistence.GetMemoryRecordsAsync"/> returns it.</summary>
/// <param name="Id">The record's id.</param>
/// <param name="Phase">The phase it was written in.</param>
/// <param name="Kind">Insight, failure, decision or constraint.</param>
/// <param name="Content">The note.</param>
/// <param name="CreatedAt">When it was stored (UTC).</param>
public sealed record MemoryRecord(Guid Id, FeaturePhase Phase, MemoryKind Kind, string Content, DateTimeOffset CreatedAt);
