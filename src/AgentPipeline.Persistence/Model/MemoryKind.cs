namespace AgentPipeline.Persistence;

/// <summary>Kind of memory note (<c>memory_kind</c>).</summary>
public enum MemoryKind
{
    /// <summary>Stored as <c>insight</c>.</summary>
    Insight,
    /// <summary>Stored as <c>failure</c>.</summary>
    Failure,
    /// <summary>Stored as <c>decision</c>.</summary>
    Decision,
    /// <summary>Stored as <c>constraint</c>.</summary>
    Constraint,
}
