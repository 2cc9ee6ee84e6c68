using System.CommandLine;
using System.Globalization;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe show &lt;run&gt;</c>: one run as a tree, or as JSON, through <see cref="PipelinePersistence.GetRunTreeAsync"/>.</summary>
internal static class ShowCommand
{
    /// <summary>The phases a phase result can be in (not the run's end states).</summary>
    private static readonly string[] WorkingPhases =
        [.. StoredNames.All<FeaturePhase>().Where(p => p is not ("completed" or "failed"))];

    public static Command Create()
    {
        var run = IdSymbols.Argument("run", "run");
        var content = new Option<bool>("--content")
        {
            Description = $"Also show the content: system prompts, messages, step texts and reasoning, tool input, output and errors, phase outputs "
                + $"(each cut after {RunRenderer.ContentChars} characters, with its full size said; --json has them whole).",
        };
        var phase = new Option<string?>("--phase")
        {
            Description = $"Only this phase ({string.Join(", ", WorkingPhases)}), with its memory records and CTAs.",
            HelpName = "phase",
        };
        phase.AcceptOnlyFromAmong(WorkingPhases);
        var agent = IdSymbols.Option("--agent", "invocation", "Only this agent invocation and its sub-agents, with their memory records and CTAs");
        var depth = new Option<int?>("--depth")
        {
            Description = "Sub-agents at most this many levels below the agents shown (0: none; the ones left out are counted).",
            HelpName = "n",
        };
        depth.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n < 0)
            {
                result.AddError("--depth must be 0 or more.");
            }
        });
        var json = JsonOption.Create();
        json.Description = "Print the run as JSON: everything the library reads (the whole tree with its content, stored JSON as its exact text), "
            + "narrowed by --phase, --agent and --depth.";
        var command = new Command("show", "Show a run as a tree: phases, agents and their sub-agents, steps (with their durations), tool calls; then its memory records and CTAs.")
        {
            run, content, phase, agent, depth, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var id = await IdResolver.RunAsync(cli.Db, parseResult.GetRequiredValue(run), cancellationToken);
            var asJson = parseResult.GetValue(json);
            var withContent = parseResult.GetValue(content);
            var tree = await PipelinePersistence.GetRunTreeAsync(
                cli.Db, id, new RunTreeOptions { IncludeContent = asJson || withContent }, cancellationToken);
            var focus = new ShowFocus(
                parseResult.GetValue(phase) is { } p ? StoredNames.Parse<FeaturePhase>(p) : null,
                parseResult.GetValue(agent),
                parseResult.GetValue(depth));
            var focused = FocusedRun.Apply(tree, focus);
            if (asJson)
            {
                JsonOutput.Write(Console.Out, RunJson.Build(focused));
            }
            else
            {
                RunRenderer.Render(cli.Out, focused, withContent);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
