using System.Globalization;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>Renders the runs a command wrote, one short block per run, within <see cref="CliConsole.MaxWidth"/> columns.</summary>
internal static class SummaryRenderer
{
    private const string Indent = "  ";

    public static void Render(IAnsiConsole console, string title, string database, IReadOnlyList<RunSummary> runs, int runsInDatabase)
    {
        var width = Math.Min(console.Profile.Width, CliConsole.MaxWidth);
        console.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
        console.MarkupLine($"[grey]Using[/] {Markup.Escape(database)}");
        foreach (var run in runs)
        {
            console.WriteLine();
            var failedIn = run.FailedPhase is { } failedPhase ? $" in {Name(failedPhase)}" : "";
            // The whole id, not a prefix: a UUIDv7 starts with its timestamp, so runs made in the
            // same minute share their first 8 hex digits.
            console.MarkupLine($"[bold]Run {run.Id}[/]  [{Colour(run.Phase)}]{Name(run.Phase)}{failedIn}[/]");
            console.MarkupLine($"{Indent}[italic]{Markup.Escape(Truncate(run.Prompt, width - Indent.Length, console))}[/]");
            console.MarkupLine($"{Indent}phases {N(run.PhaseResults)} ({PhaseBreakdown(run)})  agents {N(run.Invocations)}  steps {N(run.Steps)}");
            console.MarkupLine($"{Indent}tool calls {N(run.ToolCalls)}  memory notes {N(run.MemoryRecords)}  tokens {N(run.TotalTokens)}");
            var open = run.CtasOpen > 0 ? $", {N(run.CtasOpen)} open" : "";
            var sandbox = run.SandboxStatus is { } status ? $"  sandbox {Name(status)}" : "";
            console.MarkupLine($"{Indent}CTAs {N(run.CtasAnswered)} answered, {N(run.CtasTimedOut)} timed out{open}{sandbox}");
        }
        console.WriteLine();
        var completed = runs.Count(r => r.Phase == FeaturePhase.Completed);
        var failed = runs.Count(r => r.Phase == FeaturePhase.Failed);
        console.MarkupLine($"Stored {N(runs.Count)} runs ([green]{N(completed)} completed[/], [red]{N(failed)} failed[/]); "
            + $"the database now holds {N(runsInDatabase)}.");
        console.MarkupLine($"[grey]Database:[/] {Markup.Escape(database)}");
    }

    private static string PhaseBreakdown(RunSummary run)
    {
        var parts = new List<string> { $"{N(run.PhasesPassed)} passed" };
        if (run.PhasesFailed > 0)
        {
            parts.Add($"[red]{N(run.PhasesFailed)} failed[/]");
        }
        if (run.PhasesRunning > 0)
        {
            parts.Add($"{N(run.PhasesRunning)} running");
        }
        return string.Join(", ", parts);
    }

    private static string Colour(FeaturePhase phase) => phase switch
    {
        FeaturePhase.Completed => "green",
        FeaturePhase.Failed => "red",
        _ => "yellow",
    };

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Truncate(string text, int max, IAnsiConsole console)
    {
        var ellipsis = console.Profile.Capabilities.Unicode ? "…" : "...";
        return text.Length <= max ? text : text[..(max - ellipsis.Length)].TrimEnd() + ellipsis;
    }
}
