namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>sandbox_snapshots</c> as stored.
/// </summary>
public sealed record SandboxSnapshot
{
    /// <summary><c>id</c>: the provider's snapshot id.</summary>
    public required string Id { get; init; }

    /// <summary><c>sandbox_id</c>.</summary>
    public required string SandboxId { get; init; }

    /// <summary><c>run_id</c>: copied from the sandbox; null while no run had claimed it.</summary>
    public Guid? RunId { get; init; }

    /// <summary><c>status</c>.</summary>
    public required SnapshotStatus Status { get; init; }

    /// <summary><c>size_bytes</c>.</summary>
    public long? SizeBytes { get; init; }

    /// <summary><c>region</c>.</summary>
    public string? Region { get; init; }

    /// <summary><c>expires_at</c> (UTC).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary><c>created_at</c>: when the store recorded it (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
