using System.CommandLine;
using System.Globalization;
using AgentPipeline.Cli.Demo;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe demo</c>: fills a database with simulated feature runs and summarizes them.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs")
        {
            Description = "How many runs go through all five phases; one failing run follows them.",
            DefaultValueFactory = _ => 1,
        };
        runs.Validators.Add(result =>
        {
            // Reads the token itself: GetValueOrDefault throws on "abc", whose error the parser reports anyway.
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is < 1 or > 100)
            {
                result.AddError("--runs must be between 1 and 100.");
            }
        });
        var seed = new Option<int>("--seed")
        {
            Description = "Seed for the simulated content; the same seed tells the same story (ids and times differ).",
            DefaultValueFactory = _ => 42,
        };

        var command = new Command("demo", "Create or reuse the database, simulate feature runs through every store function, and summarize them.");
        command.Options.Add(runs);
        command.Options.Add(seed);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetRequiredValue(DbOption.Instance),
            new DemoSettings(parseResult.GetValue(runs), parseResult.GetValue(seed)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string target, DemoSettings settings, CancellationToken cancellationToken)
    {
        var stdout = CliConsole.Create(Console.Out);
        var stderr = CliConsole.Create(Console.Error);
        try
        {
            await using var db = await DatabaseTarget.OpenAsync(target, cancellationToken);
            var runIds = await new DemoRunner(db, settings, TimeProvider.System).RunAsync(
                runId => stderr.MarkupLine($"[grey]simulated run {runId}[/]"), cancellationToken);
            var summaries = await RunSummaryReader.ReadAsync(db, runIds, cancellationToken);
            var total = await RunSummaryReader.CountRunsAsync(db, cancellationToken);
            SummaryRenderer.Render(stdout, $"agentpipe demo (seed {settings.Seed})", DatabaseLabel.Describe(db), summaries, total);
            return ExitCodes.Success;
        }
        catch (Exception e) when (ErrorReporter.IsExpected(e))
        {
            return ErrorReporter.Report(stderr, e);
        }
    }
}
