namespace AgentPipeline.Persistence;

/// <summary>Status of a sandbox snapshot (<c>snapshot_status</c>).</summary>
public enum SnapshotStatus
{
    /// <summary>Stored as <c>created</c>.</summary>
    Created,
    /// <summary>Stored as <c>deleted</c>.</summary>
    Deleted,
    /// <summary>Stored as <c>failed</c>.</summary>
    Failed,
}
