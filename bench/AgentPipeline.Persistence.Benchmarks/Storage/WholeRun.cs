using System.Globalization;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>One invocation of a whole run: its phase, type, parent (an index into the plan, or -1) and loop.</summary>
internal sealed record PlannedInvocation(FeaturePhase Phase, AgentType Type, int Parent, AgentLoop Loop);

/// <summary>
/// A whole feature run as the pipeline makes one: five phases, each an orchestrator that spawns
/// sub-agents (explorers, judges and a meta-judge, coders). Every invocation of one agent type
/// sends the same system prompt and the same 22 tool definitions (one <see cref="AgentKit"/> per
/// type), each with its own task and conversation. Full: 17 invocations, 335 steps; quick: 17 invocations, 167 steps.
/// </summary>
internal static class WholeRun
{
    private static readonly (FeaturePhase Phase, int Orchestrator, (AgentType Type, int Count, int Steps)[] Subs)[] Full =
    [
        (FeaturePhase.Analysis, 12, [(AgentType.Explorer, 3, 24)]),
        (FeaturePhase.Approaches, 10, [(AgentType.Explorer, 2, 18)]),
        (FeaturePhase.Judging, 8, [(AgentType.Judge, 3, 10), (AgentType.MetaJudge, 1, 12)]),
        (FeaturePhase.Implementation, 14, [(AgentType.Coder, 2, 60)]),
        (FeaturePhase.Pr, 6, [(AgentType.Coder, 1, 15)]),
    ];

    public static List<PlannedInvocation> Plan(ILoopShape shape, int seed, bool quick)
    {
        var kits = Enum.GetValues<AgentType>().ToDictionary(t => t, t => AgentKit.For(Name(t), seed));
        var plan = new List<PlannedInvocation>();
        var n = 0;
        int Steps(int steps) => quick ? Math.Max(3, steps / 2) : steps;
        foreach (var (phase, orchestratorSteps, subs) in Full)
        {
            var orchestrator = plan.Count;
            plan.Add(new PlannedInvocation(phase, AgentType.Orchestrator, -1, new AgentLoop(kits[AgentType.Orchestrator], shape,
                $"Phase {phase} of the feature \"Add CSV export to the orders page\": plan the work, spawn the sub-agents, merge their reports.",
                Steps(orchestratorSteps), seed + 1000 * ++n)));
            foreach (var (type, count, steps) in subs)
            {
                for (var i = 0; i < count; i++)
                {
                    plan.Add(new PlannedInvocation(phase, type, orchestrator, new AgentLoop(kits[type], shape,
                        string.Create(CultureInfo.InvariantCulture, $"{Name(type)} {i + 1} of phase {phase}: look into part {i + 1} of the CSV export and report what you find."),
                        Steps(steps), seed + 1000 * ++n)));
                }
            }
        }
        return plan;
    }

    public static string Name(AgentType type) => type switch
    {
        AgentType.MetaJudge => "meta_judge",
        _ => type.ToString().ToLowerInvariant(),
    };
}
