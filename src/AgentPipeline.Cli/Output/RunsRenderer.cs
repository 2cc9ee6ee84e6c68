using AgentPipeline.Cli.Reading;
using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>The runs table of <c>agentpipe runs</c> and of the end of <c>agentpipe demo</c>.</summary>
internal static class RunsRenderer
{
    public static void Render(IAnsiConsole console, IReadOnlyList<RunListItem> runs)
    {
        var table = new TextTable()
            .Column("Run").Flexible("Prompt").Column("Phase").Column("Started", drop: 1)
            .Column("Took", right: true, drop: 2).Column("Tokens", right: true, drop: 3).Column("CTAs", right: true);
        foreach (var run in runs)
        {
            table.Row(
                run.ShortId,
                run.Prompt,
                new TextCell(run.CurrentPhase, PhaseStyle(run.CurrentPhase)),
                Format.ShortTime(run.CreatedAt),
                Format.Duration(Format.Between(run.CreatedAt, run.CompletedAt)),
                Format.Compact(run.TotalTokens),
                new TextCell(Format.Count(run.OpenCtas), run.OpenCtas > 0 ? "yellow" : null));
        }
        table.Render(console);
    }

    /// <summary>Finished runs green, failed red, running ones (in a working phase) yellow.</summary>
    public static string PhaseStyle(string phase) => phase switch
    {
        "completed" => "green",
        "failed" => "red",
        _ => "yellow",
    };
}
