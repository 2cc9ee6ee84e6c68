using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>Who starts, where, and with what instructions.</summary>
/// <param name="PhaseResultId">The phase the agent works in.</param>
/// <param name="Phase">That phase, for function ids and metadata.</param>
/// <param name="Type">The kind of agent.</param>
/// <param name="ParentId">The orchestrator that spawned it; null for the orchestrator itself.</param>
/// <param name="SystemPrompt">The system prompt.</param>
/// <param name="Task">The user message that starts it.</param>
internal sealed record AgentStart(Guid PhaseResultId, FeaturePhase Phase, AgentType Type, Guid? ParentId, string SystemPrompt, string Task);
