using AgentPipeline.Cli.Reading;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// <c>agentpipe show</c>: the run's header, its phases as a tree (phases → invocations → sub-agents →
/// steps → tool calls), then its memory records and CTAs.
/// </summary>
internal static class RunRenderer
{
    /// <summary>What a tree level's guide takes (<c>├── </c>).</summary>
    private const int GuideWidth = 4;

    public static void Render(IAnsiConsole console, RunDetail run)
    {
        var width = Math.Min(console.Profile.Width, CliConsole.MaxWidth);
        console.MarkupLine($"[bold]Run {run.Id}[/] [grey]({run.ShortId})[/]");
        foreach (var line in Format.Wrap(run.Prompt, width - 2))
        {
            console.WriteLine("  " + line);
        }
        console.MarkupLine(
            $"  [{RunsRenderer.PhaseStyle(run.CurrentPhase)}]{run.CurrentPhase}[/]  started {Format.Time(run.CreatedAt)}  "
            + $"took {Format.Duration(Format.Between(run.CreatedAt, run.CompletedAt))}  tokens {Format.Count(run.TotalTokens)}");
        if (run.GithubRepoUrl is not null || run.GithubBranch is not null)
        {
            console.WriteLine("  " + Format.OneLine($"{run.GithubRepoUrl} {run.GithubBranch}", width - 2));
        }
        if (run.Sandbox is { } sandbox)
        {
            console.WriteLine("  " + Format.OneLine($"sandbox {sandbox.Id} {sandbox.Status} {sandbox.Runtime} {sandbox.Region}", width - 2));
        }

        console.WriteLine();
        var tree = new Tree(new Markup($"[bold]Phases[/] [grey]({run.Phases.Count})[/]")) { Guide = TreeGuide.Line };
        foreach (var phase in run.Phases)
        {
            var node = tree.AddNode(new Markup(
                $"[bold]{phase.Phase}[/]  [{PhaseStatusStyle(phase.Status)}]{phase.Status}[/]  {Format.Duration(Format.Between(phase.StartedAt, phase.CompletedAt))}"));
            foreach (var invocation in phase.Invocations)
            {
                AddInvocation(node, invocation, indent: 2 * GuideWidth, width);
            }
        }
        console.Write(tree);

        console.WriteLine();
        RenderMemories(console, run.Memories, width);
        console.WriteLine();
        RenderCtas(console, run.Ctas, width);
    }

    /// <param name="indent">The column where the invocation's text starts; its steps are one level in, their tool calls two.</param>
    private static void AddInvocation(IHasTreeNodes parent, InvocationView invocation, int indent, int width)
    {
        var finish = invocation.FinishReason ?? "running";
        var u = invocation.Usage;
        var lines = new List<string>
        {
            $"[bold]{Markup.Escape(invocation.AgentType)}[/] [grey]{invocation.ShortId}[/]  {Markup.Escape(invocation.ModelId ?? "-")}  "
                + $"{Markup.Escape(finish)}  {Format.Duration(Format.Between(invocation.StartedAt, invocation.CompletedAt))}",
            u.TotalTokens is null && invocation.CompletedAt is null
                ? "[grey]no token totals until it completes[/]"
                : $"[grey]in[/] {Format.Count(u.InputTokens)}  [grey]out[/] {Format.Count(u.OutputTokens)}  "
                    + $"[grey]cache[/] {Format.Count(u.InputCacheReadTokens)}/{Format.Count(u.InputCacheWriteTokens)}  "
                    + $"[grey]reasoning[/] {Format.Count(u.OutputReasoningTokens)}",
        };
        var node = parent.AddNode(new Markup(string.Join('\n', lines)));
        foreach (var step in invocation.Steps)
        {
            var stepNode = node.AddNode(new Markup(
                $"step {step.StepNumber}  {Markup.Escape(step.FinishReason ?? "-")}  [grey]in[/] {Format.Count(step.Usage.InputTokens)}  "
                + $"[grey]out[/] {Format.Count(step.Usage.OutputTokens)}"));
            var toolWidth = width - indent - 2 * GuideWidth;
            foreach (var call in step.ToolCalls)
            {
                var type = call.OutputType ?? "pending";
                var flag = call.IsError ? "  [red]error[/]" : "";
                var head = $"{call.ToolName}  {type}";
                var title = call.Title is { Length: > 0 } t
                    ? "  [grey]" + Markup.Escape(Format.OneLine(t, Math.Max(8, toolWidth - head.Length - (call.IsError ? 7 : 0) - 2))) + "[/]"
                    : "";
                stepNode.AddNode(new Markup($"{Markup.Escape(call.ToolName)}  [{(call.IsError ? "red" : "blue")}]{Markup.Escape(type)}[/]{flag}{title}"));
            }
        }
        foreach (var sub in invocation.SubAgents)
        {
            AddInvocation(node, sub, indent + GuideWidth, width);
        }
    }

    private static void RenderMemories(IAnsiConsole console, IReadOnlyList<MemoryView> memories, int width)
    {
        console.MarkupLine($"[bold]Memory[/] [grey]({memories.Count})[/]");
        if (memories.Count == 0)
        {
            console.MarkupLine("  [grey]none[/]");
            return;
        }
        var labelWidth = memories.Max(m => m.Phase.Length + 1 + m.Kind.Length);
        foreach (var m in memories)
        {
            var label = $"{m.Phase}/{m.Kind}";
            var lines = Format.Wrap(m.Content, width - 2 - labelWidth - 2);
            console.MarkupLine($"  [blue]{Markup.Escape(label)}[/]{new string(' ', labelWidth - label.Length + 2)}{Markup.Escape(lines[0])}");
            foreach (var line in lines.Skip(1))
            {
                console.WriteLine(new string(' ', 2 + labelWidth + 2) + line);
            }
        }
    }

    private static void RenderCtas(IAnsiConsole console, IReadOnlyList<CtaView> ctas, int width)
    {
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
