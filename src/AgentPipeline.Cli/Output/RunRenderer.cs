using System.Globalization;
using System.Text.Json;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// <c>agentpipe show</c>: the run's header, its phases as a tree (phases → invocations → sub-agents →
/// steps → tool calls), then its memory records and CTAs. With <c>--content</c> each node also shows
/// its content (messages, texts, tool input, output and error, phase output), long values cut.
/// </summary>
internal static class RunRenderer
{
    /// <summary>What a tree level's guide takes (<c>├── </c>).</summary>
    private const int GuideWidth = 4;

    /// <summary>The most characters of one content value shown; the rest is cut, its full size said.</summary>
    public const int ContentChars = 400;

    public static void Render(IAnsiConsole console, FocusedRun focused, bool content)
    {
        var run = focused.Tree.Run;
        var width = Math.Min(console.Profile.Width, CliConsole.MaxWidth);
        var phaseName = Format.Name(run.CurrentPhase);
        console.MarkupLine($"[bold]Run {run.Id}[/] [grey]({ShortId.Of(run.Id)})[/]");
        foreach (var line in Format.Wrap(run.Prompt, width - 2))
        {
            console.WriteLine("  " + line);
        }
        console.MarkupLine(
            $"  [{RunsRenderer.PhaseStyle(phaseName)}]{phaseName}[/]  started {Format.Time(run.CreatedAt)}  "
            + $"took {Format.Duration(Format.Between(run.CreatedAt, run.CompletedAt))}  tokens {Format.Count(run.Tokens.TotalTokens ?? 0)}");
        if (run.GithubRepoUrl is not null || run.GithubBranch is not null)
        {
            console.WriteLine("  " + Format.OneLine($"{run.GithubRepoUrl} {run.GithubBranch}", width - 2));
        }
        if (run.Sandbox is { } sandbox)
        {
            console.WriteLine("  " + Format.OneLine($"sandbox {sandbox.Id} {Format.Name(sandbox.Status)} {sandbox.Runtime} {sandbox.Region}", width - 2));
        }

        console.WriteLine();
        var all = focused.Tree.Phases.Count;
        var shown = focused.Phases.Count == all ? $"({all})" : $"({focused.Phases.Count} of {all})";
        var tree = new Tree(new Markup($"[bold]Phases[/] [grey]{Markup.Escape(shown)}[/]")) { Guide = TreeGuide.Line };
        foreach (var phase in focused.Phases)
        {
            var p = phase.Phase;
            var status = Format.Name(p.Status);
            var lines = new List<string>
            {
                $"[bold]{Format.Name(p.Phase)}[/]  [{PhaseStatusStyle(status)}]{status}[/]  {Format.Duration(Format.Between(p.StartedAt, p.CompletedAt))}",
            };
            if (content)
            {
                lines.AddRange(Content("output", p.Output, width - GuideWidth));
            }
            var node = tree.AddNode(new Markup(string.Join('\n', lines)));
            foreach (var invocation in phase.Invocations)
            {
                AddInvocation(node, focused, invocation, indent: 2 * GuideWidth, width, content);
            }
        }
        console.Write(tree);

        console.WriteLine();
        RenderMemories(console, focused.Memories, width);
        console.WriteLine();
        RenderCtas(console, focused, width);
    }

    /// <param name="indent">The column where the invocation's text starts; its steps are one level in, their tool calls two.</param>
    private static void AddInvocation(IHasTreeNodes parent, FocusedRun focused, InvocationNode node, int indent, int width, bool content)
    {
        var invocation = node.Invocation;
        var finish = Format.Name(invocation.FinishReason) ?? "running";
        var u = invocation.Usage;
        var lines = new List<string>
        {
            $"[bold]{Markup.Escape(Format.Name(invocation.AgentType))}[/] [grey]{ShortId.Of(invocation.Id)}[/]  {Markup.Escape(invocation.ModelId ?? "-")}  "
                + $"{Markup.Escape(finish)}  {Format.Duration(Format.Between(invocation.StartedAt, invocation.CompletedAt))}",
            u?.TotalTokens is null && invocation.CompletedAt is null
                ? "[grey]no token totals until it completes[/]"
                : $"[grey]in[/] {Format.Count(u?.InputTokens)}  [grey]out[/] {Format.Count(u?.OutputTokens)}  "
                    + $"[grey]cache[/] {Format.Count(u?.InputCacheReadTokens)}/{Format.Count(u?.InputCacheWriteTokens)}  "
                    + $"[grey]reasoning[/] {Format.Count(u?.OutputReasoningTokens)}",
        };
        var textWidth = width - indent;
        if (content)
        {
            lines.AddRange(Content("system", invocation.SystemPrompt, textWidth));
            lines.AddRange(Content("input", invocation.InputMessages, textWidth));
            lines.AddRange(Content("reasoning", invocation.OutputReasoningText, textWidth));
            lines.AddRange(Content("output", invocation.OutputText, textWidth));
        }
        var treeNode = parent.AddNode(new Markup(string.Join('\n', lines)));
        for (var n = 0; n < node.Steps.Count; n++)
        {
            var step = node.Steps[n].Step;
            var stepLines = new List<string>
            {
                $"step {step.StepNumber.ToString(CultureInfo.InvariantCulture)}  {Markup.Escape(Format.Name(step.FinishReason) ?? "-")}  "
                + $"{Format.Duration(FocusedRun.StepDuration(node, n))}  [grey]in[/] {Format.Count(step.Usage?.InputTokens)}  "
                + $"[grey]out[/] {Format.Count(step.Usage?.OutputTokens)}",
            };
            if (content)
            {
                stepLines.AddRange(Content("reasoning", step.ReasoningText, textWidth - GuideWidth));
                stepLines.AddRange(Content("text", step.Text, textWidth - GuideWidth));
            }
            var stepNode = treeNode.AddNode(new Markup(string.Join('\n', stepLines)));
            var toolWidth = textWidth - 2 * GuideWidth;
            foreach (var call in node.Steps[n].ToolCalls)
            {
                var type = Format.Name(call.OutputType) ?? "pending";
                var isError = FocusedRun.IsError(call);
                var flag = isError ? "  [red]error[/]" : "";
                var head = $"{call.ToolName}  {type}";
                var title = call.Title is { Length: > 0 } t
                    ? "  [grey]" + Markup.Escape(Format.OneLine(t, Math.Max(8, toolWidth - head.Length - (isError ? 7 : 0) - 2))) + "[/]"
                    : "";
                var callLines = new List<string>
                {
                    $"{Markup.Escape(call.ToolName)}  [{(isError ? "red" : "blue")}]{Markup.Escape(type)}[/]{flag}{title}",
                };
                if (content)
                {
                    callLines.AddRange(Content("input", call.Input, toolWidth));
                    callLines.AddRange(Content("output", call.Output, toolWidth));
                    callLines.AddRange(Content("error", call.Error, toolWidth));
                }
                stepNode.AddNode(new Markup(string.Join('\n', callLines)));
            }
        }
        foreach (var sub in node.SubAgents)
        {
            AddInvocation(treeNode, focused, sub, indent + GuideWidth, width, content);
        }
        if (focused.HiddenSubAgents.TryGetValue(invocation.Id, out var hidden))
        {
            treeNode.AddNode(new Markup($"[grey]{Format.Count(hidden)} sub-agent{(hidden == 1 ? "" : "s")} below --depth[/]"));
        }
    }

    private static IEnumerable<string> Content(string label, JsonElement? value, int width) =>
        value is { } v ? Content(label, v.GetRawText(), width) : [];

    /// <summary>
    /// A content value as grey-labelled markup lines of at most <paramref name="width"/> columns: whitespace
    /// collapsed, cut after <see cref="ContentChars"/> characters with the full size said. Nothing when it is null.
    /// </summary>
    public static IEnumerable<string> Content(string label, string? value, int width)
    {
        if (value is null)
        {
            return [];
        }
        var flat = Format.OneLine(value, int.MaxValue);
        var cut = flat.Length > ContentChars;
        var text = cut
            ? flat[..ContentChars] + $" … [cut: {Format.Count(ContentChars)} of {Format.Count(value.Length)} characters shown]"
            : flat.Length == 0 ? "(empty)" : flat;
        var lines = Format.Wrap($"{label}: {text}", Math.Max(16, width - 1));
        return lines.Select((l, i) => i == 0 && l.StartsWith(label + ":", StringComparison.Ordinal)
            ? $"[grey]{Markup.Escape(label)}:[/]{Markup.Escape(l[(label.Length + 1)..])}"
            : Markup.Escape(l));
    }

    private static void RenderMemories(IAnsiConsole console, IReadOnlyList<MemoryRecord> memories, int width)
    {
        console.MarkupLine($"[bold]Memory[/] [grey]({memories.Count})[/]");
        if (memories.Count == 0)
        {
            console.MarkupLine("  [grey]none[/]");
            return;
        }
        var labels = memories.Select(m => $"{Format.Name(m.Phase)}/{Format.Name(m.Kind)}").ToList();
        var labelWidth = labels.Max(l => l.Length);
        for (var i = 0; i < memories.Count; i++)
        {
            var label = labels[i];
            var lines = Format.Wrap(memories[i].Content, width - 2 - labelWidth - 2);
            console.MarkupLine($"  [blue]{Markup.Escape(label)}[/]{new string(' ', labelWidth - label.Length + 2)}{Markup.Escape(lines[0])}");
            foreach (var line in lines.Skip(1))
            {
                console.WriteLine(new string(' ', 2 + labelWidth + 2) + line);
            }
        }
    }

    private static void RenderCtas(IAnsiConsole console, FocusedRun focused, int width)
    {
        var ctas = focused.Ctas.Select(c => CtaReads.ToView(c, c.PhaseResultId is { } id ? focused.PhaseNames.GetValueOrDefault(id) : null)).ToList();
        console.MarkupLine($"[bold]CTAs[/] [grey]({ctas.Count})[/]");
        if (ctas.Count == 0)
        {
            console.MarkupLine("  [grey]none[/]");
            return;
        }
        foreach (var c in ctas)
        {
            var where = c.Phase is null ? "" : $" in {c.Phase}";
            console.MarkupLine($"  [bold]{c.ShortId}[/]  {Markup.Escape(c.Kind + where)}  [{CtaText.Style(c)}]{Markup.Escape(CtaText.Status(c))}[/]");
            foreach (var line in Format.Wrap(c.Question, width - 4))
            {
                console.WriteLine("    " + line);
            }
            foreach (var option in c.RequestOptions ?? [])
            {
                console.WriteLine("    " + Format.OneLine($"{option.Id}) {option.Label}", width - 4));
            }
            console.MarkupLine($"    [{CtaText.Style(c)}]{Markup.Escape(Format.OneLine(CtaText.ResolutionText(c), width - 4))}[/]");
        }
    }

    private static string PhaseStatusStyle(string status) => status switch
    {
        "passed" => "green",
        "failed" => "red",
        _ => "yellow",
    };
}
