namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>sandboxes</c>; see data-model.md for each column.</summary>
internal sealed class SandboxRow
{
    public string Id { get; set; } = null!;
    public Guid? RunId { get; set; }
    public SandboxStatus Status { get; set; }
    public string? Runtime { get; set; }
    public int? Memory { get; set; }
    public int? Vcpus { get; set; }
    public string? Region { get; set; }
    public string? Cwd { get; set; }
    public int? Timeout { get; set; }
    public string? NetworkPolicy { get; set; }
    public int? InteractivePort { get; set; }
    public string? Routes { get; set; }
    public string? SourceSnapshotId { get; set; }
    public SandboxSourceType? SourceType { get; set; }
    public string? SourceUrl { get; set; }
    public string? SourceRevision { get; set; }
    public int? SourceDepth { get; set; }
    public DateTimeOffset? RequestedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? RequestedStopAt { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public DateTimeOffset? AbortedAt { get; set; }
    public DateTimeOffset? SnapshottedAt { get; set; }
    public int? Duration { get; set; }
}
