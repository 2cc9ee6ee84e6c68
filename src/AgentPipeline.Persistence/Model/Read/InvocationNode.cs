namespace AgentPipeline.Persistence;

/// <summary>An invocation in a <see cref="RunTree"/>, with its steps and the sub-agents it spawned.</summary>
public sealed record InvocationNode
{
    /// <summary>The invocation.</summary>
    public required AgentInvocation Invocation { get; init; }

    /// <summary>Its steps by <c>step_number</c>.</summary>
    public IReadOnlyList<StepNode> Steps { get; init; } = [];

    /// <summary>The invocations whose <c>parent_invocation_id</c> is this one, by <c>started_at</c> then id.</summary>
    public IReadOnlyList<InvocationNode> SubAgents { get; init; } = [];
}
