namespace AgentPipeline.Persistence;

/// <summary>Phase of a feature run (<c>feature_phase</c>); the first five are working phases, the last two terminal.</summary>
public enum FeaturePhase
{
    /// <summary>Stored as <c>analysis</c>.</summary>
    Analysis,
    /// <summary>Stored as <c>approaches</c>.</summary>
    Approaches,
    /// <summary>Stored as <c>judging</c>.</summary>
    Judging,
    /// <summary>Stored as <c>implementation</c>.</summary>
    Implementation,
    /// <summary>Stored as <c>pr</c>.</summary>
    Pr,
    /// <summary>Stored as <c>completed</c>.</summary>
    Completed,
    /// <summary>Stored as <c>failed</c>.</summary>
    Failed,
}
