using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Cli.Reading;

/// <summary>
/// Aggregates usage per model, phase or agent type. The database counts and sums per invocation
/// (plain GROUP BY in one statement, the same on both providers); the grouping by model, phase or agent and the
/// durations are done here, from one narrow row per invocation.
/// </summary>
internal static class StatsQueries
{
    private const string StepSums =
        "CAST(SUM(input_tokens) AS BIGINT) AS input, CAST(SUM(output_tokens) AS BIGINT) AS output, CAST(SUM(total_tokens) AS BIGINT) AS total, "
        + "CAST(SUM(input_tokens_cache_read_tokens) AS BIGINT) AS cache_read, CAST(SUM(input_tokens_cache_write_tokens) AS BIGINT) AS cache_write, "
        + "CAST(SUM(output_tokens_reasoning_tokens) AS BIGINT) AS reasoning";

    // One narrow row per invocation, with its steps' sums and tool-call count.
    private static readonly Sql InvocationsSql = Query.Statement(
        "SELECT i.id, i.agent_type, i.model_provider, i.model_id, p.phase, CAST(i.input_tokens AS BIGINT), CAST(i.output_tokens AS BIGINT), "
        + "CAST(i.total_tokens AS BIGINT), CAST(i.input_tokens_cache_read_tokens AS BIGINT), CAST(i.input_tokens_cache_write_tokens AS BIGINT), "
        + "CAST(i.output_tokens_reasoning_tokens AS BIGINT), i.started_at, i.completed_at, "
        + "s.steps, s.input, s.output, s.total, s.cache_read, s.cache_write, s.reasoning, t.tools "
        + "FROM {s}.agent_invocations i JOIN {s}.phase_results p ON p.id = i.phase_result_id "
        + $"LEFT JOIN (SELECT invocation_id, CAST(COUNT(*) AS BIGINT) AS steps, {StepSums} FROM {{s}}.agent_steps "
        + "WHERE @run_id IS NULL OR run_id = @run_id GROUP BY invocation_id) s ON s.invocation_id = i.id "
        + "LEFT JOIN (SELECT invocation_id, CAST(COUNT(*) AS BIGINT) AS tools FROM {s}.tool_calls "
        + "WHERE @run_id IS NULL OR run_id = @run_id GROUP BY invocation_id) t ON t.invocation_id = i.id "
        + "WHERE @run_id IS NULL OR i.run_id = @run_id",
        [Query.P("run_id", Col.Guid)],
        [
            Query.P("id", Col.Guid), Query.P("agent_type", Col.Text), Query.P("model_provider", Col.Text), Query.P("model_id", Col.Text),
            Query.P("phase", Col.Text), .. Longs(6), Query.P("started_at", Col.Time), Query.P("completed_at", Col.Time), .. Longs(8),
        ]);

    private static Param[] Longs(int count) => [.. Enumerable.Range(0, count).Select(n => Query.P("n" + n, Col.Long))];

    public static async Task<IReadOnlyList<StatsRow>> ReadAsync(PipelineDb db, StatsGrouping by, Guid? runId, CancellationToken cancellationToken)
    {
        var invocations = (await Query.RowsAsync(db, InvocationsSql, [runId], cancellationToken)).Select(r => new
        {
            Id = Query.Guid(r[0]), AgentType = Query.Enum<AgentType>(r[1]), ModelProvider = Query.NullableText(r[2]), ModelId = Query.NullableText(r[3]),
            Phase = Query.Enum<FeaturePhase>(r[4]), InputTokens = Query.NullableLong(r[5]), OutputTokens = Query.NullableLong(r[6]),
            TotalTokens = Query.NullableLong(r[7]), InputTokensCacheReadTokens = Query.NullableLong(r[8]),
            InputTokensCacheWriteTokens = Query.NullableLong(r[9]), OutputTokensReasoningTokens = Query.NullableLong(r[10]),
            StartedAt = Query.Time(r[11]), CompletedAt = Query.NullableTime(r[12]),
            Steps = r[13] is null ? null : new
            {
                Count = Query.NullableLong(r[13]) ?? 0, Input = Query.NullableLong(r[14]), Output = Query.NullableLong(r[15]),
                Total = Query.NullableLong(r[16]), CacheRead = Query.NullableLong(r[17]), CacheWrite = Query.NullableLong(r[18]),
                Reasoning = Query.NullableLong(r[19]),
            },
            Tools = (int)(Query.NullableLong(r[20]) ?? 0),
        }).ToList();

        var rows = invocations.Select(i =>
        {
            // A completed invocation carries the SDK's totals; one still running has only its steps so far.
            var s = i.Steps;
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
                Steps = (int)(s?.Count ?? 0),
                Tools = i.Tools,
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
