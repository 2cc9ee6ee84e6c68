using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// A run's memory records as an orchestrator injects them into a phase's prompt: grouped by kind
/// (constraints first, since they bind), each note tagged with the phase that wrote it, in the
/// order they were written. The demo's orchestrators and <c>agentpipe memories</c> share it.
/// </summary>
internal static class MemoryPrompt
{
    private static readonly (MemoryKind Kind, string Heading)[] Groups =
    [
        (MemoryKind.Constraint, "Constraints"),
        (MemoryKind.Decision, "Decisions"),
        (MemoryKind.Failure, "Failures"),
        (MemoryKind.Insight, "Insights"),
    ];

    /// <returns>The block, one line per note and per heading; empty when there are no records.</returns>
    public static IReadOnlyList<string> Lines(IReadOnlyList<MemoryRecord> records)
    {
        var lines = new List<string>();
        foreach (var (kind, heading) in Groups)
        {
            var notes = records.Where(r => r.Kind == kind).ToList();
            if (notes.Count == 0)
            {
                continue;
            }
            lines.Add($"## {heading}");
            lines.AddRange(notes.Select(n => $"- ({Format.Name(n.Phase)}) {Format.OneLine(n.Content, int.MaxValue)}"));
        }
        return lines;
    }

    public static string Text(IReadOnlyList<MemoryRecord> records) => string.Join('\n', Lines(records));
}
