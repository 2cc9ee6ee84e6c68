namespace AgentPipeline.Persistence;

/// <summary>Kind of agent (<c>agent_type</c>).</summary>
public enum AgentType
{
    /// <summary>Stored as <c>orchestrator</c>.</summary>
    Orchestrator,
    /// <summary>Stored as <c>explorer</c>.</summary>
    Explorer,
    /// <summary>Stored as <c>coder</c>.</summary>
    Coder,
    /// <summary>Stored as <c>judge</c>.</summary>
    Judge,
    /// <summary>Stored as <c>meta_judge</c>.</summary>
    MetaJudge,
}
