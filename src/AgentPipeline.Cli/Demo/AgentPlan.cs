using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// The script of one sub-agent: the sub-agents it spawns first (a tree can be deeper than one
/// level), its tool-calling steps, then a final answer. <paramref name="Seed"/> gives it its own
/// <see cref="Random"/> because sub-agents run in parallel.
/// </summary>
internal sealed record AgentPlan(AgentType Type, string Task, IReadOnlyList<AgentStepPlan> Steps, string FinalText, int Seed)
{
    public IReadOnlyList<AgentPlan> SubAgents { get; init; } = [];
}
