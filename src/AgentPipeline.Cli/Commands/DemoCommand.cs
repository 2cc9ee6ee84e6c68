using System.CommandLine;
using System.Globalization;
using AgentPipeline.Cli.Demo;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe demo</c>: fills a database with simulated feature runs and shows them.</summary>
internal static class DemoCommand
{
    public const int MaxRuns = 100;

    public static Command Create()
    {
        var runs = new Option<int>("--runs")
        {
            Description = $"How many feature runs go to the end (1-{MaxRuns}): the first completes, about one in four of the others fails; "
                + "a failing run is added if none failed, and one more run waits for your approval.",
            HelpName = "n",
            DefaultValueFactory = _ => 1,
        };
        runs.Validators.Add(result =>
        {
            // Reads the token itself: GetValueOrDefault throws on "abc", whose error the parser reports anyway.
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is < 1 or > MaxRuns)
            {
                result.AddError($"--runs must be between 1 and {MaxRuns}.");
            }
        });
        var seed = new Option<int>("--seed")
        {
            Description = "Seed for the simulated content; the same seed tells the same story (ids and times differ).",
            HelpName = "s",
            DefaultValueFactory = _ => 42,
        };
        var json = JsonOption.Create();

        var command = new Command("demo", "Create or reuse the database, simulate feature runs through every store function, and list them.")
        {
            runs, seed, json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult,
            new DemoSettings(parseResult.GetValue(runs), parseResult.GetValue(seed)),
            parseResult.GetValue(json),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, DemoSettings settings, bool json, CancellationToken cancellationToken)
    {
        var stdout = CliConsole.Create(Console.Out);
        var stderr = CliConsole.Create(Console.Error);
        var target = DbOption.Target(parseResult);
        LocalOption.Apply(parseResult);
        try
        {
            // Room for the requested runs, a possible extra failing run and the waiting run, all in the past.
            var clock = new DemoClock(settings.Runs + 2, TimeProvider.System.GetUtcNow());
            await using var db = await DatabaseTarget.OpenAsync(target, cancellationToken, clock);
            return await SimulateAndListAsync(parseResult, db, clock, settings, json, stdout, stderr, cancellationToken);
        }
        catch (Exception e) when (ErrorReporter.IsExpected(e))
        {
            return ErrorReporter.Report(stderr, e, target);
        }
    }

    private static async Task<int> SimulateAndListAsync(
        ParseResult parseResult, PipelineDb db, DemoClock clock, DemoSettings settings, bool json, IAnsiConsole stdout, IAnsiConsole stderr,
        CancellationToken cancellationToken)
    {
        var runner = new DemoRunner(db, settings, clock);
        var stored = await SimulateAsync(runner, settings, stderr, cancellationToken);

        // Newest first, like agentpipe runs: the run waiting for you comes first.
        var runIds = stored.Select(r => r.RunId).Reverse().ToList();
        var runs = await RunReads.ReadAsync(db, runIds, cancellationToken);
        if (json)
        {
            JsonOutput.Write(Console.Out, runs);
            return ExitCodes.Success;
        }
        var waiting = stored.Where(r => r.Outcome == RunOutcome.AwaitsApproval).Select(r => r.RunId).LastOrDefault();
        var (open, _) = await CtaReads.ListAsync(db, openOnly: true, waiting, limit: 1, cancellationToken);
        var total = await RunReads.CountAsync(db, phase: null, cancellationToken);

        stdout.Write(new Rule($"[bold]agentpipe demo[/] [grey](seed {settings.Seed.ToString(CultureInfo.InvariantCulture)})[/]").LeftJustified());
        stdout.MarkupLine($"[grey]Database:[/] {Markup.Escape(DatabaseLabel.Describe(db))}");
        stdout.WriteLine();
        RunsRenderer.Render(stdout, runs);
        stdout.WriteLine();
        var completed = runs.Count(r => r.CurrentPhase == "completed");
        var failed = runs.Count(r => r.CurrentPhase == "failed");
        stdout.MarkupLine($"Stored {Format.Count(runs.Count)} run{(runs.Count == 1 ? "" : "s")}: [green]{Format.Count(completed)} completed[/], [red]{Format.Count(failed)} failed[/], "
            + $"[yellow]{Format.Count(runs.Count - completed - failed)} waiting for you[/]; the database holds {Format.Count(total)}.");
        stdout.WriteLine();
        var dbHint = DbSuffix(parseResult, db);
        stdout.MarkupLine("[grey]See the waiting run as a tree:[/]");
        // Commands to copy go straight to the writer: Spectre would wrap a long --db path.
        stdout.Profile.Out.Writer.WriteLine($"  {CommandName.Text} show {ShortIdOf(waiting)}{dbHint}");
        if (open.Count == 1)
        {
            stdout.MarkupLine("[grey]Answer its open question (a CTA):[/]");
            stdout.Profile.Out.Writer.WriteLine($"  {CtaCommand.AnswerHint(open[0])}{dbHint}");
        }
        stdout.MarkupLine("[grey]More commands:[/] runs, memories <run>, cta list --open, stats --by phase, --help");
        if (dbHint.Length == 0 && DbOption.Given(parseResult) && db.Provider == PipelineProvider.PostgreSql)
        {
            stdout.MarkupLine("[grey](give each command the same --db, or export AGENTPIPE_DB)[/]");
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// A progress bar on an interactive terminal when there are several runs; otherwise one plain
    /// line per run on standard error, which logs and pipes keep readable.
    /// </summary>
    private static async Task<IReadOnlyList<(Guid RunId, RunOutcome Outcome)>> SimulateAsync(
        DemoRunner runner, DemoSettings settings, IAnsiConsole stderr, CancellationToken cancellationToken)
    {
        var interactive = stderr.Profile.Capabilities is { Interactive: true, Ansi: true } && !Console.IsErrorRedirected;
        if (!interactive || settings.Runs == 1)
        {
            return await runner.RunAsync(
                (i, count, runId) => stderr.MarkupLine($"[grey]simulated run {i + 1}/{count}: {ShortIdOf(runId)}[/]"), cancellationToken);
        }
        IReadOnlyList<(Guid, RunOutcome)> stored = [];
        await stderr.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("Simulating runs", maxValue: settings.Runs);
                stored = await runner.RunAsync((_, count, _) =>
                {
                    task.MaxValue = count;
                    task.Increment(1);
                }, cancellationToken);
            });
        return stored;
    }

    private static string ShortIdOf(Guid id) => Ids.ShortId.Of(id);

    /// <summary>
    /// <c> --db path</c> for the hints when the user named a SQLite file on the command line, so
    /// the printed commands work as they are. A PostgreSQL target is not echoed: it may hold a password.
    /// </summary>
    internal static string DbSuffix(ParseResult parseResult, PipelineDb db)
    {
        if (!DbOption.Given(parseResult) || db.Provider != PipelineProvider.Sqlite)
        {
            return "";
        }
        return " --db " + CommandName.Quote(DbOption.Target(parseResult));
    }
}
