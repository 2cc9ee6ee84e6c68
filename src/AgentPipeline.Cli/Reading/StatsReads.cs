using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Reading;

/// <summary>
/// Aggregates usage per model, phase or agent type from the library's narrow usage rows
/// (<see cref="PipelinePersistence.ListInvocationUsageAsync"/>, one per invocation), read a page at a time.
/// </summary>
internal static class StatsReads
{
    public static async Task<IReadOnlyList<StatsRow>> ReadAsync(PipelineDb db, StatsGrouping by, Guid? runId, CancellationToken cancellationToken)
    {
        var invocations = new List<InvocationUsage>();
        string? cursor = null;
        do
        {
            var page = await PipelinePersistence.ListInvocationUsageAsync(
                db, new InvocationUsageQuery { RunId = runId, PageSize = InvocationUsageQuery.MaxPageSize, Cursor = cursor }, cancellationToken);
            invocations.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var groups = invocations.GroupBy(i => by switch
        {
            StatsGrouping.Model => (Key: i.ModelId ?? "(no model)", Provider: i.ModelProvider),
            StatsGrouping.Phase => (Key: Format.Name(i.Phase), Provider: (string?)null),
            _ => (Key: Format.Name(i.AgentType), Provider: (string?)null),
        }).Select(g => new
        {
            Row = new StatsRow(
                g.Key.Key, g.Key.Provider, g.Count(), g.Sum(i => i.StepCount), g.Sum(i => i.ToolCallCount),
                g.Sum(i => i.Tokens.InputTokens ?? 0), g.Sum(i => i.Tokens.OutputTokens ?? 0), g.Sum(i => i.Tokens.TotalTokens ?? 0),
                g.Sum(i => i.Tokens.InputCacheReadTokens ?? 0), g.Sum(i => i.Tokens.InputCacheWriteTokens ?? 0),
                g.Sum(i => i.Tokens.OutputReasoningTokens ?? 0),
                g.Sum(i => Format.Milliseconds(Format.Between(i.StartedAt, i.CompletedAt)) ?? 0)),
            Order = by switch
            {
                StatsGrouping.Phase => (int)g.First().Phase,
                StatsGrouping.Agent => (int)g.First().AgentType,
                _ => 0,
            },
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
