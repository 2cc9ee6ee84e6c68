namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateSnapshotRecordAsync"/>: one row of <c>sandbox_snapshots</c>.</summary>
public sealed record NewSnapshotRecord
{
    /// <summary><c>id</c>: the sandbox provider's snapshot id. Required.</summary>
    public required string Id { get; init; }
    /// <summary><c>sandbox_id</c>: the sandbox it was taken of. Required; <c>run_id</c> is copied from it.</summary>
    public required string SandboxId { get; init; }
    /// <summary><c>status</c>.</summary>
    public SnapshotStatus Status { get; init; } = SnapshotStatus.Created;
    /// <summary><c>size_bytes</c>.</summary>
    public long? SizeBytes { get; init; }
    /// <summary><c>region</c>.</summary>
    public string? Region { get; init; }
    /// <summary><c>expires_at</c> (any offset; stored as UTC).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
