namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>memory_records</c>; see data-model.md for each column.</summary>
internal sealed class MemoryRecordRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid PhaseResultId { get; set; }
    public Guid? InvocationId { get; set; }
    public FeaturePhase Phase { get; set; }
    public MemoryKind Kind { get; set; }
    public string Content { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
    public long Seq { get; set; }
}
