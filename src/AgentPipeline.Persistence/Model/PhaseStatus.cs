namespace AgentPipeline.Persistence;

/// <summary>Status of one phase result (<c>phase_status</c>).</summary>
public enum PhaseStatus
{
    /// <summary>Stored as <c>running</c>.</summary>
    Running,
    /// <summary>Stored as <c>passed</c>.</summary>
    Passed,
    /// <summary>Stored as <c>failed</c>.</summary>
    Failed,
}
