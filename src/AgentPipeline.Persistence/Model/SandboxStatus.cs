namespace AgentPipeline.Persistence;

/// <summary>Lifecycle status of a cloud sandbox (<c>sandbox_status</c>).</summary>
public enum SandboxStatus
{
    /// <summary>Stored as <c>pending</c>.</summary>
    Pending,
    /// <summary>Stored as <c>running</c>.</summary>
    Running,
    /// <summary>Stored as <c>stopping</c>.</summary>
    Stopping,
    /// <summary>Stored as <c>stopped</c>.</summary>
    Stopped,
    /// <summary>Stored as <c>failed</c>.</summary>
    Failed,
    /// <summary>Stored as <c>aborted</c>.</summary>
    Aborted,
    /// <summary>Stored as <c>snapshotting</c>.</summary>
    Snapshotting,
}
