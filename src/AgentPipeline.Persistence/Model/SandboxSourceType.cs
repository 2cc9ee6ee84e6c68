namespace AgentPipeline.Persistence;

/// <summary>Where a sandbox's files came from (<c>sandbox_source_type</c>).</summary>
public enum SandboxSourceType
{
    /// <summary>Stored as <c>git</c>.</summary>
    Git,
    /// <summary>Stored as <c>tarball</c>.</summary>
    Tarball,
    /// <summary>Stored as <c>snapshot</c>.</summary>
    Snapshot,
    /// <summary>Stored as <c>empty</c>.</summary>
    Empty,
}
