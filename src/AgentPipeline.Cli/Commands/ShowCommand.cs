using System.CommandLine;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe show &lt;run&gt;</c>: one run as a tree, or as JSON.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var run = IdSymbols.Argument("run", "run");
        var json = JsonOption.Create();
        var command = new Command("show", "Show a run as a tree: phases, agents and their sub-agents, steps, tool calls; then its memory records and CTAs.")
        {
            run, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var id = await IdResolver.RunAsync(cli.Db, parseResult.GetRequiredValue(run), cancellationToken);
            var detail = await RunQueries.ReadDetailAsync(cli.Db, id, cancellationToken);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(Console.Out, detail);
            }
            else
            {
                RunRenderer.Render(cli.Out, detail);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
