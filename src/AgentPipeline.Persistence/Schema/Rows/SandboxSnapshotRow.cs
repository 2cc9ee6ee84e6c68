namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>sandbox_snapshots</c>; see data-model.md for each column.</summary>
internal sealed class SandboxSnapshotRow
{
    public string Id { get; set; } = null!;
    public string SandboxId { get; set; } = null!;
    public Guid? RunId { get; set; }
    public SnapshotStatus Status { get; set; }
    public long? SizeBytes { get; set; }
    public string? Region { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
