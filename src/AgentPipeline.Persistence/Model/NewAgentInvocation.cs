using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateAgentInvocationAsync"/>: an agent (or sub-agent) starts.</summary>
public sealed record NewAgentInvocation
{
    /// <summary>Caller-chosen id for idempotent replays; a UUIDv7 is made when null.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>phase_result_id</c>. Required; <c>run_id</c> is copied from it.</summary>
    public required Guid PhaseResultId { get; init; }
    /// <summary><c>parent_invocation_id</c>: the spawning agent, in the same phase result; null for a top-level agent.</summary>
    public Guid? ParentInvocationId { get; init; }
    /// <summary><c>agent_type</c>.</summary>
    public required AgentType AgentType { get; init; }
    /// <summary><c>model_provider</c>.</summary>
    public string? ModelProvider { get; init; }
    /// <summary><c>model_id</c>.</summary>
    public string? ModelId { get; init; }
    /// <summary><c>system_prompt</c>.</summary>
    public string? SystemPrompt { get; init; }
    /// <summary><c>input_messages</c>.</summary>
    public JsonElement? InputMessages { get; init; }
}
