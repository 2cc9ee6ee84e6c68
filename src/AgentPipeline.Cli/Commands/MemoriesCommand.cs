using System.CommandLine;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe memories &lt;run&gt;</c>: the run's notes as an orchestrator would inject them into a prompt.</summary>
internal static class MemoriesCommand
{
    public static Command Create()
    {
        var run = IdSymbols.Argument("run", "run");
        var json = JsonOption.Create();
        var command = new Command(
            "memories",
            "Print a run's memory records grouped by kind (constraints, decisions, failures, insights), "
            + "exactly as an orchestrator injects them into a prompt. Lines are not wrapped.")
        {
            run, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var id = await IdResolver.RunAsync(cli.Db, parseResult.GetRequiredValue(run), cancellationToken);
            // The same function the orchestrators read their notes with, so the order is the store's guarantee.
            var records = await PipelinePersistence.GetMemoryRecordsAsync(cli.Db, id, cancellationToken);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(Console.Out, records.Select(r => new
                {
                    phase = Format.Name(r.Phase),
                    kind = Format.Name(r.Kind),
                    content = r.Content,
                    createdAt = r.CreatedAt,
                }).ToList());
                return ExitCodes.Success;
            }
            if (records.Count == 0)
            {
                cli.Error.MarkupLine($"[grey]Run {ShortId.Of(id)} has no memory records.[/]");
                return ExitCodes.Success;
            }
            // Plain lines on standard output: this is text for a prompt, not for the terminal's width.
            foreach (var line in MemoryPrompt.Lines(records))
            {
                Console.Out.WriteLine(line);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
