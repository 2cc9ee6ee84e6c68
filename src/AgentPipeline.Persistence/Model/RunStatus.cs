namespace AgentPipeline.Persistence;

/// <summary>
/// Where a feature run stands, derived when it is read (not stored): from its
/// <c>current_phase</c> and whether a question to a human is open.
/// </summary>
public enum RunStatus
{
    /// <summary>In a working phase, with no open CTA.</summary>
    Running,
    /// <summary>In a working phase, with at least one CTA neither answered nor timed out.</summary>
    WaitingForHuman,
    /// <summary><c>current_phase</c> is <c>completed</c>.</summary>
    Completed,
    /// <summary><c>current_phase</c> is <c>failed</c>.</summary>
    Failed,
}
