using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Schema;
using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Cli.Reading;

/// <summary>
/// Reads runs through the library's EF Core model with explicit projections; every query filters
/// on <c>run_id</c>, which every table of a run's tree carries.
/// </summary>
internal static class RunQueries
{
    /// <summary>The runs, newest first, optionally only those in one phase.</summary>
    /// <returns>At most <paramref name="limit"/> runs, and how many match in all.</returns>
    public static async Task<(IReadOnlyList<RunListItem> Runs, int Total)> ListAsync(
        PipelineDbContext context, FeaturePhase? phase, int limit, CancellationToken cancellationToken)
    {
        var runs = phase is { } p ? context.FeatureRuns.Where(r => r.CurrentPhase == p) : context.FeatureRuns;
        var total = await runs.CountAsync(cancellationToken);
        var page = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit)
            .Select(r => new RunRow(r.Id, r.Prompt, r.CurrentPhase, r.CreatedAt, r.CompletedAt))
            .ToListAsync(cancellationToken);
        return (await ToItemsAsync(context, page, cancellationToken), total);
    }

    /// <summary>The given runs' table lines, in the given order.</summary>
    public static async Task<IReadOnlyList<RunListItem>> ReadAsync(PipelineDbContext context, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var runs = await context.FeatureRuns.Where(r => ids.Contains(r.Id))
            .Select(r => new RunRow(r.Id, r.Prompt, r.CurrentPhase, r.CreatedAt, r.CompletedAt))
            .ToDictionaryAsync(r => r.Id, cancellationToken);
        return await ToItemsAsync(context, [.. ids.Where(runs.ContainsKey).Select(id => runs[id])], cancellationToken);
    }

    private static async Task<IReadOnlyList<RunListItem>> ToItemsAsync(PipelineDbContext context, List<RunRow> runs, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
        {
            return [];
        }
        var ids = runs.Select(r => r.Id).ToList();
        // Tokens: each completed invocation's own totals; for one still running (no totals yet), its steps so far.
        var tokens = (await context.AgentInvocations.Where(i => ids.Contains(i.RunId))
                .Select(i => new
                {
                    i.RunId,
                    Tokens = i.TotalTokens != null
                        ? (long?)i.TotalTokens
                        : context.AgentSteps.Where(s => s.InvocationId == i.Id).Sum(s => (long?)s.TotalTokens),
                })
                .ToListAsync(cancellationToken))
            .GroupBy(i => i.RunId)
            .ToDictionary(g => g.Key, g => g.Sum(i => i.Tokens ?? 0));
        var open = await context.CtaEvents.Where(c => ids.Contains(c.RunId) && c.RespondedAt == null)
            .GroupBy(c => c.RunId).Select(g => new { RunId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.RunId, g => g.Count, cancellationToken);
        return [.. runs.Select(r => new RunListItem(
            r.Id,
            ShortId.Of(r.Id),
            r.Prompt,
            Format.Name(r.CurrentPhase),
            r.CreatedAt,
            r.CompletedAt,
            Format.Milliseconds(Format.Between(r.CreatedAt, r.CompletedAt)),
            tokens.GetValueOrDefault(r.Id),
            open.GetValueOrDefault(r.Id)))];
    }

    /// <summary>The whole run: phases, invocations, steps and tool calls, memory records, CTAs.</summary>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    public static async Task<RunDetail> ReadDetailAsync(PipelineDbContext context, Guid id, CancellationToken cancellationToken)
    {
        var run = await context.FeatureRuns.Where(r => r.Id == id)
            .Select(r => new { r.Prompt, r.CurrentPhase, r.GithubRepoUrl, r.GithubBranch, r.SandboxId, r.CreatedAt, r.CompletedAt })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("feature_runs", id.ToString());
        var sandbox = run.SandboxId is null
            ? null
            : await context.Sandboxes.Where(s => s.Id == run.SandboxId)
                .Select(s => new { s.Id, s.Status, s.Runtime, s.Region, s.Duration })
                .SingleOrDefaultAsync(cancellationToken);

        var phases = await context.PhaseResults.Where(p => p.RunId == id)
            .OrderBy(p => p.StartedAt).ThenBy(p => p.Id)
            .Select(p => new { p.Id, p.Phase, p.Status, p.StartedAt, p.CompletedAt })
            .ToListAsync(cancellationToken);
        var invocations = await context.AgentInvocations.Where(i => i.RunId == id)
            .OrderBy(i => i.StartedAt).ThenBy(i => i.Id)
            .Select(i => new
            {
                i.Id, i.PhaseResultId, i.ParentInvocationId, i.AgentType, i.ModelProvider, i.ModelId, i.FinishReason, i.RawFinishReason,
                i.StepCount, i.InputTokens, i.OutputTokens, i.TotalTokens, i.InputTokensNoCacheTokens, i.InputTokensCacheReadTokens,
                i.InputTokensCacheWriteTokens, i.OutputTokensTextTokens, i.OutputTokensReasoningTokens, i.StartedAt, i.CompletedAt,
            })
            .ToListAsync(cancellationToken);
        var steps = await context.AgentSteps.Where(s => s.RunId == id)
            .OrderBy(s => s.InvocationId).ThenBy(s => s.StepNumber)
            .Select(s => new
            {
                s.Id, s.InvocationId, s.StepNumber, s.ModelId, s.FinishReason, s.InputTokens, s.OutputTokens, s.TotalTokens,
                s.InputTokensNoCacheTokens, s.InputTokensCacheReadTokens, s.InputTokensCacheWriteTokens, s.OutputTokensTextTokens,
                s.OutputTokensReasoningTokens, s.CreatedAt,
            })
            .ToListAsync(cancellationToken);
        var toolCalls = await context.ToolCalls.Where(t => t.RunId == id)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
            .Select(t => new
            {
                t.Id, t.StepId, t.ToolCallId, t.ToolName, t.Title, t.OutputType, t.IsInvalid, HasError = t.Error != null, t.CreatedAt,
            })
            .ToListAsync(cancellationToken);
        var memories = await context.MemoryRecords.Where(m => m.RunId == id)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Seq)
            .Select(m => new { m.Id, m.Phase, m.Kind, m.Content, m.InvocationId, m.CreatedAt })
            .ToListAsync(cancellationToken);
        var ctas = await CtaQueries.ListAsync(context, openOnly: false, id, limit: int.MaxValue, newestFirst: false, cancellationToken);

        var toolsByStep = toolCalls.ToLookup(t => t.StepId, t => new ToolCallView(
            t.Id, t.ToolCallId, t.ToolName, t.Title, Format.Name(t.OutputType),
            t.HasError || t.IsInvalid || t.OutputType is ToolOutputType.ErrorText or ToolOutputType.ErrorJson or ToolOutputType.ExecutionDenied,
            t.CreatedAt));
        var stepsByInvocation = steps.ToLookup(s => s.InvocationId, s => new StepView(
            s.Id, s.StepNumber, s.ModelId, Format.Name(s.FinishReason),
            new UsageView(s.InputTokens, s.OutputTokens, s.TotalTokens, s.InputTokensNoCacheTokens, s.InputTokensCacheReadTokens,
                s.InputTokensCacheWriteTokens, s.OutputTokensTextTokens, s.OutputTokensReasoningTokens),
            s.CreatedAt,
            [.. toolsByStep[s.Id]]));
        var children = invocations.ToLookup(i => i.ParentInvocationId);
        var byId = invocations.ToDictionary(i => i.Id);

        InvocationView Build(Guid invocationId, int depth)
        {
            var i = byId[invocationId];
            // A parent cycle cannot be stored (a parent exists before its child), but a bad row must not hang the CLI.
            IReadOnlyList<InvocationView> subAgents = depth > 64 ? [] : [.. children[i.Id].Select(c => Build(c.Id, depth + 1))];
            return new InvocationView(
                i.Id, ShortId.Of(i.Id), i.ParentInvocationId, Format.Name(i.AgentType), i.ModelProvider, i.ModelId,
                Format.Name(i.FinishReason), i.RawFinishReason, i.StepCount,
                new UsageView(i.InputTokens, i.OutputTokens, i.TotalTokens, i.InputTokensNoCacheTokens, i.InputTokensCacheReadTokens,
                    i.InputTokensCacheWriteTokens, i.OutputTokensTextTokens, i.OutputTokensReasoningTokens),
                i.StartedAt, i.CompletedAt, Format.Milliseconds(Format.Between(i.StartedAt, i.CompletedAt)),
                [.. stepsByInvocation[i.Id]], subAgents);
        }

        var phaseViews = phases.Select(p => new PhaseView(
            p.Id, Format.Name(p.Phase), Format.Name(p.Status), p.StartedAt, p.CompletedAt,
            Format.Milliseconds(Format.Between(p.StartedAt, p.CompletedAt)),
            // Top level: no parent, or a parent that is not in this run (cannot happen, but then it is shown rather than lost).
            [.. invocations.Where(i => i.PhaseResultId == p.Id && (i.ParentInvocationId is not { } parent || !byId.ContainsKey(parent)))
                .Select(i => Build(i.Id, 0))])).ToList();

        return new RunDetail(
            id, ShortId.Of(id), run.Prompt, Format.Name(run.CurrentPhase), run.GithubRepoUrl, run.GithubBranch,
            sandbox is null ? null : new SandboxView(sandbox.Id, Format.Name(sandbox.Status), sandbox.Runtime, sandbox.Region, sandbox.Duration),
            run.CreatedAt, run.CompletedAt, Format.Milliseconds(Format.Between(run.CreatedAt, run.CompletedAt)),
            invocations.Sum(i => (long?)i.TotalTokens ?? steps.Where(s => s.InvocationId == i.Id).Sum(s => (long?)s.TotalTokens ?? 0)),
            phaseViews,
            [.. memories.Select(m => new MemoryView(m.Id, Format.Name(m.Phase), Format.Name(m.Kind), m.Content, m.InvocationId, m.CreatedAt))],
            ctas.Ctas);
    }

    private sealed record RunRow(Guid Id, string Prompt, FeaturePhase CurrentPhase, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);
}
