using System.CommandLine;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe stats</c>: tokens, calls and time, aggregated by model, phase or agent type.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var by = new Option<string>("--by")
        {
            Description = "Group by model (default), phase or agent (agent type).",
            HelpName = "model|phase|agent",
            DefaultValueFactory = _ => "model",
        };
        by.AcceptOnlyFromAmong("model", "phase", "agent");
        var run = IdSymbols.Option("--run", "run", "Only this run");
        var json = JsonOption.Create();
        var command = new Command(
            "stats",
            "Tokens, calls and time aggregated over every run (or one): agent invocations, model calls (steps), tool calls, "
            + "input/output/total tokens, and agent time (invocation durations summed; parallel sub-agents add up).")
        {
            by, run, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var grouping = parseResult.GetValue(by) switch
            {
                "phase" => StatsGrouping.Phase,
                "agent" => StatsGrouping.Agent,
                _ => StatsGrouping.Model,
            };
            Guid? runId = parseResult.GetValue(run) is { } typed
                ? await IdResolver.RunAsync(cli.Db, typed, cancellationToken)
                : null;
            var rows = await StatsReads.ReadAsync(cli.Db, grouping, runId, cancellationToken);
            if (parseResult.GetValue(json))
            {
                // modelProvider belongs to a model's row only (docs/cli.md); other groupings leave it out.
                if (grouping == StatsGrouping.Model)
                {
                    JsonOutput.Write(Console.Out, rows);
                }
                else
                {
                    JsonOutput.Write(Console.Out, rows.Select(r => new
                    {
                        r.Key, r.Invocations, r.Steps, r.ToolCalls, r.InputTokens, r.OutputTokens, r.TotalTokens,
                        r.CacheReadTokens, r.CacheWriteTokens, r.ReasoningTokens, r.AgentTimeMs,
                    }).ToList());
                }
                return ExitCodes.Success;
            }
            if (rows.Count == 0)
            {
                cli.Out.MarkupLine($"No agent invocations yet. [grey]Try:[/] {Markup.Escape(CommandName.Text)} demo");
                return ExitCodes.Success;
            }
            var header = grouping switch
            {
                StatsGrouping.Phase => "Phase",
                StatsGrouping.Agent => "Agent",
                _ => "Model",
            };
            var table = new TextTable()
                .Flexible(header).Column("Agents", right: true, drop: 3).Column("Calls", right: true, drop: 4).Column("Tools", right: true, drop: 5)
                .Column("Input", right: true, drop: 1).Column("Output", right: true, drop: 2).Column("Total", right: true).Column("Time", right: true);
            foreach (var row in rows)
            {
                AddRow(table, row, style: null);
            }
            AddRow(table, StatsReads.Total(rows), style: "bold");
            table.Render(cli.Out);
            cli.Out.MarkupLine("[grey]Calls are model steps; time is agent time (invocation durations summed).[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void AddRow(TextTable table, StatsRow row, string? style) => table.Row(
        new TextCell(row.Key, style),
        new TextCell(Format.Count(row.Invocations), style),
        new TextCell(Format.Count(row.Steps), style),
        new TextCell(Format.Count(row.ToolCalls), style),
        new TextCell(Format.Compact(row.InputTokens), style),
        new TextCell(Format.Compact(row.OutputTokens), style),
        new TextCell(Format.Compact(row.TotalTokens), style),
        new TextCell(Format.Duration(TimeSpan.FromMilliseconds(row.AgentTimeMs)), style));
}
