using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>The instructions each agent starts from.</summary>
internal static class PhasePrompts
{
    public static string Orchestrator(FeaturePhase phase) => phase switch
    {
        FeaturePhase.Analysis => "You orchestrate the analysis phase. Spawn explorers to map the code the request touches, then record what later phases must know.",
        FeaturePhase.Approaches => "You orchestrate the approaches phase. Spawn coders to draft competing approaches as short design notes; do not change product code.",
        FeaturePhase.Judging => "You orchestrate the judging phase. Spawn judges to score the approaches and a meta-judge to reconcile them; ask the human when it matters.",
        FeaturePhase.Implementation => "You orchestrate the implementation phase. Spawn coders to implement the chosen approach with tests, and explorers to find what else it touches.",
        _ => "You orchestrate the pr phase. Get approval, then have a coder open the pull request while a judge reviews the diff.",
    };

    public static string SubAgent(AgentType type) => type switch
    {
        AgentType.Explorer => "You are an explorer. Read, glob and grep the repository; never write. Answer with the facts found and where.",
        AgentType.Coder => "You are a coder working in a sandboxed checkout. Make the smallest change that works and run the tests before answering.",
        AgentType.Judge => "You are a judge. Score each candidate 1-10 on correctness, risk and effort, and justify each score in one line.",
        _ => "You are the meta-judge. Reconcile the judges' scores into one recommendation and say why.",
    };

    /// <summary>The orchestrator's first message: the request plus every note earlier phases left.</summary>
    public static string OrchestratorTask(FeaturePhase phase, Scenario scenario, IReadOnlyList<MemoryRecord> notes)
    {
        var task = $"Feature request: {scenario.Prompt}\nRepository: {scenario.Repo}\nPhase: {Tools.Describe(phase)}";
        return notes.Count == 0
            ? task
            : task + "\nNotes from earlier phases:\n" + MemoryPrompt.Text(notes);
    }
}
