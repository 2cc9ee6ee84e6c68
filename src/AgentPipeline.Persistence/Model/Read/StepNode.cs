namespace AgentPipeline.Persistence;

/// <summary>A step in a <see cref="RunTree"/>, with its tool calls.</summary>
public sealed record StepNode
{
    /// <summary>The step.</summary>
    public required AgentStep Step { get; init; }

    /// <summary>Its tool calls by <c>created_at</c>, then id.</summary>
    public IReadOnlyList<ToolCall> ToolCalls { get; init; } = [];
}
