using System.CommandLine;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Schema;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary>
/// <c>agentpipe cta list | show | answer | timeout</c>. Answers and timeouts go through the store's own
/// functions, so its integrity rules hold: a CTA is resolved once, and an answer must fit its kind.
/// </summary>
internal static class CtaCommand
{
    public static Command Create() => new("cta", "List the questions agents asked humans (CTAs), show one in full, answer one, or time one out.")
    {
        List(), Show(), Answer(), Timeout(),
    };

    private static Command Show()
    {
        var cta = IdSymbols.Argument("cta", "CTA");
        var json = JsonOption.Create();
        var command = new Command("show", "Show one CTA in full: who asked it and when, the whole question, its options, and what was answered and when.")
        {
            cta, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var (id, current) = await ResolveAsync(cli.Db, parseResult.GetRequiredValue(cta), cancellationToken);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(Console.Out, current);
                return ExitCodes.Success;
            }
            string? askedBy = null;
            if (current.InvocationId is { } invocationId)
            {
                var agent = await CtaReads.AgentTypeAsync(cli.Db, invocationId, cancellationToken);
                askedBy = agent is { } type ? $"{Format.Name(type)} {ShortId.Of(invocationId)}" : ShortId.Of(invocationId);
            }
            Render(cli.Out, current, askedBy);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>cta show</c>'s text: the CTA, who asked and when, the whole question, the options, the resolution and a hint to answer it.</summary>
    private static void Render(IAnsiConsole console, CtaView cta, string? askedBy)
    {
        var width = Math.Min(console.Profile.Width, CliConsole.MaxWidth) - 2;
        console.MarkupLine($"CTA [bold]{cta.Id}[/] ({cta.ShortId})");
        console.MarkupLine($"  {Markup.Escape(cta.Kind)}{Markup.Escape(cta.Phase is null ? "" : " in " + cta.Phase)}, run {cta.RunShortId}");
        console.MarkupLine($"  asked {(askedBy is null ? "" : "by " + Markup.Escape(askedBy) + " ")}at {Format.Time(cta.RequestedAt)}");
        if (cta.ToolCallId is { } toolCall)
        {
            console.Profile.Out.Writer.WriteLine("  tool call " + toolCall);
        }
        console.WriteLine();
        console.MarkupLine("[bold]Question[/]");
        // Straight to the writer: the question in full, wrapped by words rather than by Spectre at any character.
        foreach (var line in Format.Wrap(cta.Question, width))
        {
            console.Profile.Out.Writer.WriteLine("  " + line);
        }
        if (cta.RequestMessage is not null && cta.RequestPrompt is not null)
        {
            foreach (var line in Format.Wrap(cta.RequestPrompt, width))
            {
                console.Profile.Out.Writer.WriteLine("  " + line);
            }
        }
        if (cta.RequestPlaceholder is { } placeholder)
        {
            console.Profile.Out.Writer.WriteLine("  (placeholder: " + placeholder + ")");
        }
        if (cta.RequestOptions is { Count: > 0 } options)
        {
            console.WriteLine();
            console.MarkupLine("[bold]Options[/]");
            foreach (var option in options)
            {
                var chosen = cta.Response?.SelectedId == option.Id;
                foreach (var (line, i) in Format.Wrap($"{option.Id}) {option.Label}", width - 2).Select((l, i) => (l, i)))
                {
                    var text = (i == 0 ? "" : "   ") + line;
                    console.MarkupLine(chosen ? $"  [green]{Markup.Escape(text)}[/]" : "  " + Markup.Escape(text));
                }
            }
        }
        console.WriteLine();
        console.MarkupLine("[bold]Answer[/]");
        foreach (var line in Format.Wrap(cta.Status == CtaView.TimedOutStatus ? CtaText.ResolutionText(cta) + ", nobody answered" : CtaText.ResolutionText(cta), width))
        {
            console.MarkupLine($"  [{CtaText.Style(cta)}]{Markup.Escape(line)}[/]");
        }
        if (cta.Status == CtaView.Open)
        {
            console.MarkupLine("[grey]Answer it with:[/]");
            console.Profile.Out.Writer.WriteLine("  " + AnswerHint(cta));
        }
    }

    private static Command List()
    {
        var open = new Option<bool>("--open") { Description = "Only CTAs still waiting for an answer." };
        var run = IdSymbols.Option("--run", "run", "Only this run's CTAs");
        var limit = LimitOption.Create(20, "CTAs");
        var json = JsonOption.Create();
        var command = new Command("list", "List CTAs, newest first: id, run, kind, status, when asked, question.")
        {
            open, run, limit, json,
        };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            Guid? runId = parseResult.GetValue(run) is { } typed
                ? await IdResolver.RunAsync(cli.Db, typed, cancellationToken)
                : null;
            var (ctas, total) = await CtaReads.ListAsync(
                cli.Db, parseResult.GetValue(open), runId, parseResult.GetValue(limit), cancellationToken);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(Console.Out, ctas);
                return ExitCodes.Success;
            }
            if (ctas.Count == 0)
            {
                cli.Out.MarkupLine(parseResult.GetValue(open) ? "No open CTA." : "No CTA.");
                return ExitCodes.Success;
            }
            var table = new TextTable()
                .Column("CTA").Column("Run", drop: 2).Column("Kind", drop: 3).Column("Status").Column("Asked", drop: 1).Flexible("Question");
            foreach (var c in ctas)
            {
                var status = CtaText.Status(c);
                table.Row(c.ShortId, c.RunShortId, c.Kind,
                    new TextCell(status, CtaText.Style(c)),
                    Format.ShortTime(c.RequestedAt), c.Question);
            }
            table.Render(cli.Out);
            if (total > ctas.Count)
            {
                cli.Out.MarkupLine($"[grey]Showing {ctas.Count} of {total} CTAs; --limit shows more.[/]");
            }
            if (ctas.FirstOrDefault(c => c.Status == CtaView.Open) is { } first)
            {
                cli.Out.MarkupLine("[grey]Answer one with:[/]");
                // Straight to the writer, whole: a command to copy must not be wrapped.
                cli.Out.Profile.Out.Writer.WriteLine("  " + AnswerHint(first));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Answer()
    {
        var cta = IdSymbols.Argument("cta", "CTA");
        var approve = new Option<bool>("--approve") { Description = "Approve (approval CTAs)." };
        var reject = new Option<bool>("--reject") { Description = "Reject (approval CTAs)." };
        var reason = new Option<string?>("--reason") { Description = "Why, with --approve or --reject.", HelpName = "text" };
        var text = new Option<string?>("--text") { Description = "The answer to a text CTA.", HelpName = "text" };
        var choose = new Option<string?>("--choose") { Description = "The id of the chosen option (choice CTAs).", HelpName = "option-id" };
        var command = new Command("answer", "Answer an open CTA: --approve or --reject [--reason R] for an approval, --text T for a text question, --choose ID for a choice.")
        {
            cta, approve, reject, reason, text, choose,
        };
        command.Validators.Add(result =>
        {
            var given = new[] { (approve, "--approve"), (reject, "--reject") }.Where(o => result.GetValue(o.Item1)).Select(o => o.Item2)
                .Concat(new[] { (text, "--text"), (choose, "--choose") }.Where(o => result.GetValue(o.Item1) is not null).Select(o => o.Item2))
                .ToList();
            if (given.Count != 1)
            {
                result.AddError(given.Count == 0
                    ? "Give one answer: --approve, --reject, --text or --choose."
                    : $"Give one answer, not {string.Join(" and ", given)}.");
            }
            else if (result.GetValue(reason) is not null && given[0] is not ("--approve" or "--reject"))
            {
                result.AddError("--reason goes with --approve or --reject.");
            }
        });
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var (id, current) = await ResolveAsync(cli.Db, parseResult.GetRequiredValue(cta), cancellationToken);
            var response = parseResult.GetValue(approve) ? CtaResponse.Approve(parseResult.GetValue(reason))
                : parseResult.GetValue(reject) ? CtaResponse.Reject(parseResult.GetValue(reason))
                : parseResult.GetValue(text) is { } answer ? CtaResponse.WithText(answer)
                : CtaResponse.Choose(parseResult.GetRequiredValue(choose)!);
            CheckFits(current, response);
            try
            {
                await PipelinePersistence.CompleteCtaEventAsync(cli.Db, id, response, cancellationToken);
            }
            catch (CtaAlreadyResolvedException e)
            {
                throw AlreadyResolved(current, e, "the answer was not stored");
            }
            Confirm(cli.Out, await ReadAsync(cli.Db, id, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Timeout()
    {
        var cta = IdSymbols.Argument("cta", "CTA");
        var command = new Command("timeout", "Mark an open CTA as timed out, as the orchestrator does when nobody answers in time.") { cta };
        CliAction.Set(command, async (parseResult, cli, cancellationToken) =>
        {
            var (id, current) = await ResolveAsync(cli.Db, parseResult.GetRequiredValue(cta), cancellationToken);
            try
            {
                await PipelinePersistence.TimeoutCtaEventAsync(cli.Db, id, cancellationToken);
            }
            catch (CtaAlreadyResolvedException e)
            {
                throw AlreadyResolved(current, e, "it was not timed out");
            }
            Confirm(cli.Out, await ReadAsync(cli.Db, id, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What is stored now, read back: the CTA, then its resolution on lines of their own.</summary>
    private static void Confirm(IAnsiConsole console, CtaView cta)
    {
        var where = cta.Phase is null ? "" : $" in {cta.Phase}";
        console.MarkupLine($"CTA [bold]{cta.ShortId}[/] ({Markup.Escape(cta.Kind + where)}, run {cta.RunShortId}):");
        foreach (var line in Format.Wrap(CtaText.ResolutionText(cta), CliConsole.MaxWidth - 2))
        {
            console.MarkupLine($"  [{CtaText.Style(cta)}]{Markup.Escape(line)}[/]");
        }
    }

    /// <summary>The command that answers <paramref name="cta"/>, for hints.</summary>
    public static string AnswerHint(CtaView cta) => $"{CommandName.Text} cta answer {cta.ShortId} " + cta.Kind switch
    {
        "approval" => "--approve --reason \"Looks good\"",
        "choice" => $"--choose {cta.RequestOptions?.FirstOrDefault()?.Id ?? "<option-id>"}",
        _ => "--text \"<your answer>\"",
    };

    private static async Task<(Guid Id, CtaView Current)> ResolveAsync(PipelineDb db, string typed, CancellationToken cancellationToken)
    {
        var id = await IdResolver.CtaAsync(db, typed, cancellationToken);
        return (id, await CtaReads.ReadAsync(db, id, cancellationToken));
    }

    private static async Task<CtaView> ReadAsync(PipelineDb db, Guid id, CancellationToken cancellationToken)
    {
        return await CtaReads.ReadAsync(db, id, cancellationToken);
    }

    /// <summary>
    /// Says in the CLI's words what the store would refuse, before asking it: the store's message
    /// names its own parameters (<c>responseData.Text</c>), the user typed options. The store still
    /// checks, so this only improves the message.
    /// </summary>
    private static void CheckFits(CtaView cta, CtaResponse response)
    {
        var fits = cta.Kind switch
        {
            "approval" => response.Approved is not null,
            "text" => response.Text is not null,
            _ => response.SelectedId is not null,
        };
        if (!fits)
        {
            var how = cta.Kind switch
            {
                "approval" => "asks for an approval: answer it with --approve or --reject",
                "text" => "asks for a text answer: answer it with --text",
                _ => $"asks for a choice: answer it with --choose and one of {string.Join(", ", (cta.RequestOptions ?? []).Select(o => o.Id))}",
            };
            throw new CliException($"CTA {cta.ShortId} {how}.", ExitCodes.Failure);
        }
        if (response.SelectedId is { } selected && cta.RequestOptions is { } options && options.All(o => o.Id != selected))
        {
            throw new CliException(
                $"'{selected}' is not an option of CTA {cta.ShortId}; the options are {string.Join(", ", options.Select(o => $"{o.Id} ({o.Label})"))}.",
                ExitCodes.Failure);
        }
    }

    /// <summary>Who won: the store's exception carries the winning resolution.</summary>
    private static CliException AlreadyResolved(CtaView cta, CtaAlreadyResolvedException e, string consequence)
    {
        var at = Format.Time(e.Resolution.ResolvedAt);
        var won = e.Resolution.TimedOut
            ? $"had already timed out at {at}"
            : $"was already answered at {at} ({CtaText.Answer(cta with
            {
                Status = CtaView.Answered,
                Response = new CtaResponseView(e.Resolution.Response?.Approved, e.Resolution.Response?.Reason, e.Resolution.Response?.Text, e.Resolution.Response?.SelectedId),
            })})";
        return new CliException($"CTA {cta.ShortId} {won}; {consequence}.", ExitCodes.Conflict, e);
    }
}
