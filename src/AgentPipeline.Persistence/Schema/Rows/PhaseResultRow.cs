namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>phase_results</c>; see data-model.md for each column.</summary>
internal sealed class PhaseResultRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public FeaturePhase Phase { get; set; }
    public PhaseStatus Status { get; set; }
    public string? Output { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
