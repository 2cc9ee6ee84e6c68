using System.CommandLine;
using System.Globalization;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary>
/// <c>agentpipe runs</c>: the runs, newest first, as a table, a page at a time, through the
/// library's <see cref="PipelinePersistence.ListFeatureRunsAsync"/>.
/// </summary>
internal static class RunsCommand
{
    /// <summary>The <c>--status</c> words and what they stand for.</summary>
    private static readonly (string Name, RunStatus Status)[] Statuses =
    [
        ("running", RunStatus.Running), ("waiting", RunStatus.WaitingForHuman), ("completed", RunStatus.Completed), ("failed", RunStatus.Failed),
    ];

    /// <summary>What <c>--since</c> accepts: an ISO-8601 date, or date and time, with an optional <c>Z</c> or offset.</summary>
    private static readonly string[] SinceFormats =
    [
        .. from date in new[] { "yyyy-MM-dd" }
           from time in new[] { "", "'T'HH:mm", "'T'HH:mm:ss", "'T'HH:mm:ss.FFFFFFF", " HH:mm", " HH:mm:ss", " HH:mm:ss.FFFFFFF" }
           from zone in time.Length == 0 ? new[] { "" } : new[] { "", "'Z'", "zzz" }
           select date + time + zone,
    ];

    public static Command Create()
    {
        var phase = new Option<string?>("--phase")
        {
            Description = $"Only runs whose current phase is this one: {string.Join(", ", StoredNames.All<FeaturePhase>())}.",
            HelpName = "phase",
        };
        phase.AcceptOnlyFromAmong([.. StoredNames.All<FeaturePhase>()]);
        var status = new Option<string?>("--status")
        {
            Description = "Only runs that stand this way: running, waiting (an open CTA), completed, failed.",
            HelpName = "status",
        };
        var statusNames = Statuses.Select(s => s.Name).ToArray();
        status.CompletionSources.Add(statusNames);
        status.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !statusNames.Contains(token.Value, StringComparer.Ordinal))
            {
                result.AddError($"--status '{token.Value}' is not one of {string.Join(", ", statusNames)}.");
            }
        });
        var since = new Option<string?>("--since")
        {
            Description = "Only runs created at or after this time: an ISO-8601 date or date and time (2026-11-26, 2026-11-26T10:40), UTC unless it has an offset (+02:00).",
            HelpName = "time",
        };
        since.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && ParseSince(token.Value) is null)
            {
                result.AddError($"--since '{token.Value}' is not an ISO-8601 date or date and time, such as 2026-11-26 or 2026-11-26T10:40:00Z.");
            }
        });
        var repo = new Option<string?>("--repo")
        {
            Description = "Only runs of this GitHub repository (its URL exactly as stored).",
            HelpName = "url",
        };
        repo.Validators.Add(result => RequireText(result, "--repo"));
        var search = new Option<string?>("--search")
        {
            Description = "Only runs whose prompt contains this text (ASCII letters in any case).",
            HelpName = "text",
        };
        search.Validators.Add(result => RequireText(result, "--search"));
        var limit = LimitOption.Create(20, "runs");
        limit.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                && n > FeatureRunQuery.MaxPageSize)
            {
                result.AddError($"--limit must be at most {FeatureRunQuery.MaxPageSize.ToString(CultureInfo.InvariantCulture)}.");
            }
        });
        var after = new Option<string?>("--after")
        {
            Description = "The next page: the cursor a previous page printed, with the same filters.",
            HelpName = "cursor",
        };
        var json = JsonOption.Create();
        var command = new Command("runs", "List runs, newest first: id, prompt, current phase, start, duration, tokens, open CTAs.")
        {
            phase, status, since, repo, search, limit, after, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var phaseName = parseResult.GetValue(phase);
            var statusName = parseResult.GetValue(status);
            var sinceText = parseResult.GetValue(since);
            var pageSize = parseResult.GetValue(limit);
            var cursor = parseResult.GetValue(after);
            var phaseValue = phaseName is null ? (FeaturePhase?)null : StoredNames.Parse<FeaturePhase>(phaseName);
            var query = new FeatureRunQuery
            {
                Phase = phaseValue,
                Status = statusName is null ? null : Statuses.Single(s => s.Name == statusName).Status,
                CreatedFrom = sinceText is null ? null : ParseSince(sinceText),
                Repository = parseResult.GetValue(repo),
                PromptContains = parseResult.GetValue(search),
                PageSize = pageSize,
                Cursor = cursor,
            };
            IReadOnlyList<RunListItem> runs;
            string? next;
            try
            {
                (runs, next) = await RunReads.PageAsync(cli.Db, query, cancellationToken);
            }
            catch (ArgumentException e) when (e.ParamName == "query.Cursor")
            {
                throw new CliException("--after is not a cursor that runs printed for these filters; give the --after of the command it printed, with its filters.", ExitCodes.Failure, e);
            }
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(Console.Out, new RunsPage(runs, next));
                return ExitCodes.Success;
            }
            var filtered = statusName is not null || sinceText is not null || query.Repository is not null || query.PromptContains is not null;
            if (runs.Count == 0)
            {
                cli.Out.MarkupLine(
                    cursor is not null ? "No more runs."
                    : phaseName is null && !filtered ? $"No runs yet. [grey]Try:[/] {Markup.Escape(CommandName.Text)} demo"
                    : phaseName is not null && !filtered ? $"No run is in phase {phaseName}."
                    : "No run matches.");
                // Which database: an empty one may not be the one the user meant.
                cli.Out.MarkupLine($"[grey]Database:[/] {Markup.Escape(DatabaseLabel.Describe(cli.Db))}");
                return ExitCodes.Success;
            }
            RunsRenderer.Render(cli.Out, runs);
            if (next is null)
            {
                return ExitCodes.Success;
            }
            if (cursor is null && !filtered)
            {
                // The first page of all runs, or of one phase: how many there are is one cheap count.
                var total = await RunReads.CountAsync(cli.Db, phaseValue, cancellationToken);
                cli.Out.MarkupLine($"[grey]Showing {runs.Count} of {total} runs; --limit shows more.[/]");
            }
            cli.Out.MarkupLine("[grey]Next page:[/]");
            // Commands to copy go straight to the writer: Spectre would wrap a long line.
            var arguments = new List<string> { "runs" };
            if (DemoCommand.DbSuffix(parseResult, cli.Db) is { Length: > 0 } db)
            {
                arguments.Add(db.Trim());
            }
            void Add(string name, string? value)
            {
                if (value is not null)
                {
                    arguments.Add($"{name} {CommandName.Quote(value)}");
                }
            }
            Add("--phase", phaseName);
            Add("--status", statusName);
            Add("--since", sinceText);
            Add("--repo", query.Repository);
            Add("--search", query.PromptContains);
            Add("--limit", pageSize.ToString(CultureInfo.InvariantCulture));
            Add("--after", next);
            cli.Out.Profile.Out.Writer.WriteLine($"  {CommandName.Text} {string.Join(' ', arguments)}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--since</c>'s text as an instant, or null when it is not one of <see cref="SinceFormats"/>.</summary>
    private static DateTimeOffset? ParseSince(string text) =>
        DateTimeOffset.TryParseExact(
            text.Trim(), SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    private static void RequireText(System.CommandLine.Parsing.OptionResult result, string name)
    {
        if (result.Tokens is [var token] && string.IsNullOrWhiteSpace(token.Value))
        {
            result.AddError($"{name} is empty; leave it out to list runs whatever their {(name == "--repo" ? "repository" : "prompt")}.");
        }
    }

    /// <summary><c>runs --json</c>: the page's runs and the cursor of the next page (null on the last).</summary>
    private sealed record RunsPage(IReadOnlyList<RunListItem> Runs, string? NextCursor);
}
