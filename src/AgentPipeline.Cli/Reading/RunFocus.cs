using AgentPipeline.Cli.Commands;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Reading;

/// <summary>What <c>show</c> narrows a run to: one phase, one agent (with its sub-agents), a depth of sub-agent nesting.</summary>
/// <param name="Phase">Only the phase results of this phase.</param>
/// <param name="Agent">Only this invocation (as typed: full id, short id or at least 4 hex digits) and its sub-agents.</param>
/// <param name="Depth">Sub-agents at most this many levels below the invocations shown (0: none).</param>
internal sealed record ShowFocus(FeaturePhase? Phase, string? Agent, int? Depth)
{
    public bool Any => Phase is not null || Agent is not null;
}

/// <summary>A run's tree as <c>show</c> prints it: the phases and invocations in focus, and the memory records and CTAs that belong to them.</summary>
internal sealed class FocusedRun
{
    private FocusedRun(RunTree tree, IReadOnlyList<PhaseNode> phases, IReadOnlyList<MemoryRecord> memories, IReadOnlyList<CtaEvent> ctas,
        IReadOnlyDictionary<Guid, int> hidden)
    {
        Tree = tree;
        Phases = phases;
        Memories = memories;
        Ctas = ctas;
        HiddenSubAgents = hidden;
        PhaseNames = tree.Phases.ToDictionary(p => p.Phase.Id, p => Format.Name(p.Phase.Phase));
    }

    /// <summary>The whole tree as read.</summary>
    public RunTree Tree { get; }

    public IReadOnlyList<PhaseNode> Phases { get; }

    public IReadOnlyList<MemoryRecord> Memories { get; }

    public IReadOnlyList<CtaEvent> Ctas { get; }

    /// <summary>How many direct sub-agents of an invocation <c>--depth</c> left out.</summary>
    public IReadOnlyDictionary<Guid, int> HiddenSubAgents { get; }

    /// <summary>The stored phase name of each phase result of the run.</summary>
    public IReadOnlyDictionary<Guid, string> PhaseNames { get; }

    /// <exception cref="CliException"><c>--agent</c> matches no invocation in focus (exit 2) or several (exit 1).</exception>
    public static FocusedRun Apply(RunTree tree, ShowFocus focus)
    {
        IReadOnlyList<PhaseNode> phases = focus.Phase is { } phase ? [.. tree.Phases.Where(p => p.Phase.Phase == phase)] : tree.Phases;
        if (focus.Agent is { } typed)
        {
            var where = focus.Phase is null ? "of this run" : $"in phase {Format.Name(focus.Phase.Value)} of this run";
            var id = IdResolver.Match(
                typed, IdResolver.Normalize(typed, "invocation"), phases.SelectMany(p => All(p.Invocations)).Select(i => i.Invocation.Id),
                $"invocation {where}", $"invocations {where}");
            var owner = phases.First(p => All(p.Invocations).Any(i => i.Invocation.Id == id));
            phases = [owner with { Invocations = [All(owner.Invocations).First(i => i.Invocation.Id == id)] }];
        }
        var hidden = new Dictionary<Guid, int>();
        if (focus.Depth is { } depth)
        {
            phases = [.. phases.Select(p => p with { Invocations = [.. p.Invocations.Select(i => Trim(i, depth, hidden))] })];
        }
        var memories = tree.MemoryRecords;
        var ctas = tree.CtaEvents;
        if (focus.Any)
        {
            // The notes and questions of what is shown: of its phases, or with --agent of the invocations shown.
            var phaseIds = phases.Select(p => p.Phase.Id).ToHashSet();
            memories = [.. memories.Where(m => phaseIds.Contains(m.PhaseResultId))];
            ctas = [.. ctas.Where(c => c.PhaseResultId is { } p && phaseIds.Contains(p))];
            if (focus.Agent is not null)
            {
                var shown = phases.SelectMany(p => All(p.Invocations)).Select(i => i.Invocation.Id).ToHashSet();
                memories = [.. memories.Where(m => m.InvocationId is { } i && shown.Contains(i))];
                ctas = [.. ctas.Where(c => c.InvocationId is { } i && shown.Contains(i))];
            }
        }
        return new FocusedRun(tree, phases, memories, ctas, hidden);
    }

    /// <summary>The invocations and all their sub-agents, parents first.</summary>
    public static IEnumerable<InvocationNode> All(IEnumerable<InvocationNode> invocations) =>
        invocations.SelectMany(i => All(i.SubAgents).Prepend(i));

    private static InvocationNode Trim(InvocationNode node, int depth, Dictionary<Guid, int> hidden)
    {
        if (depth == 0)
        {
            if (node.SubAgents.Count > 0)
            {
                hidden[node.Invocation.Id] = node.SubAgents.Count;
            }
            return node with { SubAgents = [] };
        }
        return node with { SubAgents = [.. node.SubAgents.Select(s => Trim(s, depth - 1, hidden))] };
    }

    /// <summary>
    /// Each step's duration: the time since the previous step of its invocation was stored, or for the
    /// first since the invocation started. Null when the clock went backwards.
    /// </summary>
    public static TimeSpan? StepDuration(InvocationNode invocation, int index)
    {
        var since = index == 0 ? invocation.Invocation.StartedAt : invocation.Steps[index - 1].Step.CreatedAt;
        var d = invocation.Steps[index].Step.CreatedAt - since;
        return d < TimeSpan.Zero ? null : d;
    }

    /// <summary>Whether a tool call failed: an error output type, invalid input, or (when content was read) a stored error.</summary>
    public static bool IsError(ToolCall call) =>
        call.Error is not null || call.IsInvalid || call.OutputType is ToolOutputType.ErrorText or ToolOutputType.ErrorJson or ToolOutputType.ExecutionDenied;
}
