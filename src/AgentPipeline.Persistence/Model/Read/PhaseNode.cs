namespace AgentPipeline.Persistence;

/// <summary>A phase result in a <see cref="RunTree"/>, with its top-level invocations.</summary>
public sealed record PhaseNode
{
    /// <summary>The phase result.</summary>
    public required PhaseResult Phase { get; init; }

    /// <summary>Its invocations without a parent, by <c>started_at</c> then id; sub-agents are nested under them.</summary>
    public IReadOnlyList<InvocationNode> Invocations { get; init; } = [];
}
