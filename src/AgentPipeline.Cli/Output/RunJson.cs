using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// <c>show --json</c>: everything <see cref="PipelinePersistence.GetRunTreeAsync"/> returns, each record
/// flat with every property the library gives (stored JSON as its exact text), and beside them the
/// CLI's own facts: short ids, durations in milliseconds, the steps' durations, whether a tool call failed.
/// </summary>
internal static class RunJson
{
    public static object Build(FocusedRun run)
    {
        var r = run.Tree.Run;
        return new FlatJson(r,
        [
            ("shortId", ShortId.Of(r.Id)),
            ("durationMs", Format.Milliseconds(Format.Between(r.CreatedAt, r.CompletedAt))),
            ("totalTokens", r.Tokens.TotalTokens ?? 0),
            ("phases", run.Phases.Select(p => Phase(run, p)).ToList()),
            ("memories", run.Memories.ToList()),
            ("ctas", run.Ctas.Select(c => CtaReads.ToView(c, c.PhaseResultId is { } id ? run.PhaseNames.GetValueOrDefault(id) : null)).ToList()),
        ]);
    }

    private static FlatJson Phase(FocusedRun run, PhaseNode p) => new(p.Phase,
    [
        ("durationMs", Format.Milliseconds(Format.Between(p.Phase.StartedAt, p.Phase.CompletedAt))),
        ("invocations", p.Invocations.Select(i => Invocation(run, i)).ToList()),
    ]);

    private static FlatJson Invocation(FocusedRun run, InvocationNode node)
    {
        var i = node.Invocation;
        var extra = new List<(string, object?)>
        {
            ("shortId", ShortId.Of(i.Id)),
            ("durationMs", Format.Milliseconds(Format.Between(i.StartedAt, i.CompletedAt))),
            // An object even without usage, so every token kind has its place.
            ("usage", i.Usage ?? new TokenUsage()),
            ("steps", node.Steps.Select((s, n) => Step(node, s, n)).ToList()),
            ("subAgents", node.SubAgents.Select(s => Invocation(run, s)).ToList()),
        };
        if (run.HiddenSubAgents.TryGetValue(i.Id, out var hidden))
        {
            extra.Add(("subAgentsNotShown", hidden));
        }
        return new FlatJson(i, extra);
    }

    private static FlatJson Step(InvocationNode invocation, StepNode node, int index) => new(node.Step,
    [
        ("durationMs", Format.Milliseconds(FocusedRun.StepDuration(invocation, index))),
        ("usage", node.Step.Usage ?? new TokenUsage()),
        ("toolCalls", node.ToolCalls.Select(t => new FlatJson(t, [("isError", FocusedRun.IsError(t))])).ToList()),
    ]);
}
