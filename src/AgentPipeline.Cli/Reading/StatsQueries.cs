using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence.Schema;
using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Cli.Reading;

/// <summary>
/// Aggregates usage per model, phase or agent type. The database counts and sums per invocation
/// (plain GROUP BY, the same on both providers); the grouping by model, phase or agent and the
/// durations are done here, from one narrow row per invocation.
/// </summary>
internal static class StatsQueries
{
    public static async Task<IReadOnlyList<StatsRow>> ReadAsync(PipelineDbContext context, StatsGrouping by, Guid? runId, CancellationToken cancellationToken)
    {
        var invocationScope = runId is { } r ? context.AgentInvocations.Where(i => i.RunId == r) : context.AgentInvocations;
        var stepScope = runId is { } rs ? context.AgentSteps.Where(s => s.RunId == rs) : context.AgentSteps;
        var toolScope = runId is { } rt ? context.ToolCalls.Where(t => t.RunId == rt) : context.ToolCalls;

        var invocations = await (
            from i in invocationScope
            join p in context.PhaseResults on i.PhaseResultId equals p.Id
            select new
            {
                i.Id, i.AgentType, i.ModelProvider, i.ModelId, p.Phase, i.InputTokens, i.OutputTokens, i.TotalTokens,
                i.InputTokensCacheReadTokens, i.InputTokensCacheWriteTokens, i.OutputTokensReasoningTokens, i.StartedAt, i.CompletedAt,
            }).ToListAsync(cancellationToken);
        var steps = await stepScope.GroupBy(s => s.InvocationId)
            .Select(g => new
            {
                InvocationId = g.Key,
                Count = g.Count(),
                Input = g.Sum(s => (long?)s.InputTokens),
                Output = g.Sum(s => (long?)s.OutputTokens),
                Total = g.Sum(s => (long?)s.TotalTokens),
                CacheRead = g.Sum(s => (long?)s.InputTokensCacheReadTokens),
                CacheWrite = g.Sum(s => (long?)s.InputTokensCacheWriteTokens),
                Reasoning = g.Sum(s => (long?)s.OutputTokensReasoningTokens),
            })
            .ToDictionaryAsync(g => g.InvocationId, cancellationToken);
        var tools = await toolScope.GroupBy(t => t.InvocationId)
            .Select(g => new { InvocationId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.InvocationId, g => g.Count, cancellationToken);

        var rows = invocations.Select(i =>
        {
            // A completed invocation carries the SDK's totals; one still running has only its steps so far.
            var s = steps.GetValueOrDefault(i.Id);
            var completed = i.TotalTokens is not null;
            return new
            {
                Key = by switch
                {
                    StatsGrouping.Model => i.ModelId ?? "(no model)",
                    StatsGrouping.Phase => Format.Name(i.Phase),
                    _ => Format.Name(i.AgentType),
                },
                Provider = by == StatsGrouping.Model ? i.ModelProvider : null,
                Order = by switch
                {
                    StatsGrouping.Phase => (int)i.Phase,
                    StatsGrouping.Agent => (int)i.AgentType,
                    _ => 0,
                },
                Steps = s?.Count ?? 0,
                Tools = tools.GetValueOrDefault(i.Id),
                Input = completed ? i.InputTokens ?? 0 : s?.Input ?? 0,
                Output = completed ? i.OutputTokens ?? 0 : s?.Output ?? 0,
                Total = completed ? i.TotalTokens ?? 0 : s?.Total ?? 0,
                CacheRead = completed ? i.InputTokensCacheReadTokens ?? 0 : s?.CacheRead ?? 0,
                CacheWrite = completed ? i.InputTokensCacheWriteTokens ?? 0 : s?.CacheWrite ?? 0,
                Reasoning = completed ? i.OutputTokensReasoningTokens ?? 0 : s?.Reasoning ?? 0,
                TimeMs = Format.Milliseconds(Format.Between(i.StartedAt, i.CompletedAt)) ?? 0,
            };
        });
        var groups = rows.GroupBy(x => (x.Key, x.Provider)).Select(g => new
        {
            Row = new StatsRow(
                g.Key.Key, g.Key.Provider, g.Count(), g.Sum(x => x.Steps), g.Sum(x => x.Tools), g.Sum(x => x.Input), g.Sum(x => x.Output),
                g.Sum(x => x.Total), g.Sum(x => x.CacheRead), g.Sum(x => x.CacheWrite), g.Sum(x => x.Reasoning), g.Sum(x => x.TimeMs)),
            Order = g.First().Order,
        });
        // Phases and agent types in pipeline order; models by how many tokens they used.
        var sorted = by == StatsGrouping.Model
            ? groups.OrderByDescending(g => g.Row.TotalTokens).ThenBy(g => g.Row.Key, StringComparer.Ordinal)
            : groups.OrderBy(g => g.Order);
        return [.. sorted.Select(g => g.Row)];
    }

    public static StatsRow Total(IReadOnlyList<StatsRow> rows) => new(
        "total", null, rows.Sum(r => r.Invocations), rows.Sum(r => r.Steps), rows.Sum(r => r.ToolCalls), rows.Sum(r => r.InputTokens),
        rows.Sum(r => r.OutputTokens), rows.Sum(r => r.TotalTokens), rows.Sum(r => r.CacheReadTokens), rows.Sum(r => r.CacheWriteTokens),
        rows.Sum(r => r.ReasoningTokens), rows.Sum(r => r.AgentTimeMs));
}
