using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>What a finished sub-agent hands back to the orchestrator that spawned it.</summary>
internal sealed record SubAgentOutcome(Guid InvocationId, AgentType Type, string Task, string Summary);
