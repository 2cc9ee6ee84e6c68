using System.CommandLine;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Internal;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe runs</c>: the runs, newest first, as a table.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var phase = new Option<string?>("--phase")
        {
            Description = $"Only runs whose current phase is this one: {string.Join(", ", DbEnum<FeaturePhase>.Names)}.",
            HelpName = "phase",
        };
        phase.AcceptOnlyFromAmong(DbEnum<FeaturePhase>.Names);
        var limit = LimitOption.Create(20, "runs");
        var json = JsonOption.Create();
        var command = new Command("runs", "List runs, newest first: id, prompt, current phase, start, duration, tokens, open CTAs.")
        {
            phase, limit, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var phaseName = parseResult.GetValue(phase);
            var (runs, total) = await RunQueries.ListAsync(
                cli.Db, phaseName is null ? null : DbEnum<FeaturePhase>.Parse(phaseName), parseResult.GetValue(limit), cancellationToken);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(Console.Out, runs);
                return ExitCodes.Success;
            }
            if (runs.Count == 0)
            {
                cli.Out.MarkupLine(phaseName is null
                    ? $"No runs yet. [grey]Try:[/] {Markup.Escape(CommandName.Text)} demo"
                    : $"No run is in phase {phaseName}.");
                // Which database: a mistyped name gives a new, empty one rather than an error.
                cli.Out.MarkupLine($"[grey]Database:[/] {Markup.Escape(DatabaseLabel.Describe(cli.Db))}");
                return ExitCodes.Success;
            }
            RunsRenderer.Render(cli.Out, runs);
            if (total > runs.Count)
            {
                cli.Out.MarkupLine($"[grey]Showing {runs.Count} of {total} runs; --limit shows more.[/]");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
