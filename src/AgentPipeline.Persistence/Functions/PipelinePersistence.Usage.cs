using System.Collections.Concurrent;
using System.Globalization;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Reading;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

/// <summary>Reading back: usage per invocation across runs, and one phase result by its id.</summary>
public static partial class PipelinePersistence
{
    private static readonly Sql PhaseResultById = ById(RowReaders.Phases.Whole.Projection);

    /// <summary>A phase result as stored: every column, its output included.</summary>
    /// <exception cref="ArgumentException"><paramref name="phaseResultId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The phase result does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task<PhaseResult> GetPhaseResultAsync(PipelineDb db, Guid phaseResultId, CancellationToken cancellationToken = default) =>
        GetByIdAsync(db, phaseResultId, nameof(phaseResultId), PhaseResultById, RowReaders.Phases.Whole.Read, PhaseResults.Name, cancellationToken);

    // One statement per shape of query (run or not, from, to, cursor or not), made on first use.
    private static readonly ConcurrentDictionary<(bool ByRun, bool From, bool To, bool After), Sql> UsageListSql = new();

    /// <summary>The statement <see cref="ListInvocationUsageAsync"/> runs for a query of this shape (internal for the query-plan tests).</summary>
    internal static Sql InvocationUsageSql(bool byRun, bool from, bool to, bool after) => UsageListSql.GetOrAdd((byRun, from, to, after), static key =>
    {
        var where = new List<string>();
        var parameters = new List<Param>();
        if (key.ByRun)
        {
            where.Add("i.run_id = @run_id");
            parameters.Add(P("run_id", Col.Guid));
        }
        if (key.From)
        {
            where.Add("i.started_at >= @from");
            parameters.Add(P("from", Col.Time));
        }
        if (key.To)
        {
            where.Add("i.started_at < @to");
            parameters.Add(P("to", Col.Time));
        }
        if (key.After)
        {
            // A row-value comparison: both providers start the index range of (started_at, id) there.
            where.Add("(i.started_at, i.id) > (@after_at, @after_id)");
            parameters.Add(P("after_at", Col.Time));
            parameters.Add(P("after_id", Col.Guid));
        }
        parameters.Add(P("limit", Col.Int));
        // A completed invocation's own counts; a running one's steps so far (the rule of GetFeatureRunAsync).
        // CASE evaluates the step sums only for the running ones.
        var tokens = string.Join(", ", UsageColumns.Counts.Select(c =>
            $"CASE WHEN i.completed_at IS NULL THEN (SELECT CAST(SUM(s.{c.Name}) AS BIGINT) FROM {{s}}.agent_steps s WHERE s.invocation_id = i.id) "
            + $"ELSE CAST(i.{c.Name} AS BIGINT) END"));
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        return new Sql(
            "SELECT i.id, i.run_id, i.phase_result_id, p.phase, i.parent_invocation_id, i.agent_type, i.model_provider, i.model_id, "
            + "i.finish_reason, i.started_at, i.completed_at, "
            + "(SELECT COUNT(*) FROM {s}.agent_steps s WHERE s.invocation_id = i.id), "
            + "(SELECT COUNT(*) FROM {s}.tool_calls t WHERE t.invocation_id = i.id), "
            + tokens
            + " FROM {s}.agent_invocations i JOIN {s}.phase_results p ON p.id = i.phase_result_id"
            + filter + " ORDER BY i.started_at, i.id LIMIT @limit",
            [.. parameters]);
    });

    private static InvocationUsage ReadInvocationUsage(Row r)
    {
        var running = r.IsNull(10);
        return new InvocationUsage
        {
            InvocationId = r.Guid(0), RunId = r.Guid(1), PhaseResultId = r.Guid(2), Phase = r.Enum<FeaturePhase>(3),
            ParentInvocationId = r.GuidOrNull(4), AgentType = r.Enum<AgentType>(5), ModelProvider = r.TextOrNull(6), ModelId = r.TextOrNull(7),
            FinishReason = r.EnumOrNull<FinishReason>(8), StartedAt = r.Time(9), CompletedAt = r.TimeOrNull(10),
            StepCount = checked((int)r.Long(11)), ToolCallCount = checked((int)r.Long(12)),
            TokensFromSteps = running,
            Tokens = new TokenUsage
            {
                InputTokens = r.LongOrNull(13), OutputTokens = r.LongOrNull(14), TotalTokens = r.LongOrNull(15), InputNoCacheTokens = r.LongOrNull(16),
                InputCacheReadTokens = r.LongOrNull(17), InputCacheWriteTokens = r.LongOrNull(18), OutputTextTokens = r.LongOrNull(19),
                OutputReasoningTokens = r.LongOrNull(20),
            },
        };
    }

    /// <summary>
    /// A page of usage rows, one per agent invocation (sub-agents included), oldest first
    /// (<c>started_at</c>, then id): who ran, its token counts by kind (a completed invocation's own; a
    /// running one's steps so far, the rule of <see cref="FeatureRun.Tokens"/>), its step and tool-call
    /// counts, and when. No content is read, so usage over many runs (a cost view, totals by model,
    /// phase or agent) is read in small rows. Pages continue by keyset (<see cref="InvocationUsagePage.NextCursor"/>),
    /// never by offset. The rows of one run are found by the run's index; a time range without a run reads
    /// the invocations table in <c>started_at</c> order.
    /// </summary>
    /// <param name="db">The store.</param>
    /// <param name="query">Which invocations, and the page.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <see cref="InvocationUsageQuery.PageSize"/> rows and the next page's cursor, null on the last page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="query"/> is null.</exception>
    /// <exception cref="ArgumentException">A field of <paramref name="query"/> is out of range or malformed (the exception names it):
    /// an empty run id, a <c>default</c> instant, <see cref="InvocationUsageQuery.StartedFrom"/> after
    /// <see cref="InvocationUsageQuery.StartedTo"/>, a page size outside 1 to <see cref="InvocationUsageQuery.MaxPageSize"/>,
    /// or a cursor that is not one this function returned for the same run and range. Nothing was read.</exception>
    /// <exception cref="SchemaMissingException">The database has not been migrated.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<InvocationUsagePage> ListInvocationUsageAsync(PipelineDb db, InvocationUsageQuery query,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        if (query.RunId is { } runId)
        {
            Check.Id(runId, "query.RunId");
        }
        var from = Check.Utc(query.StartedFrom, "query.StartedFrom");
        var to = Check.Utc(query.StartedTo, "query.StartedTo");
        if (from > to)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"query.StartedFrom ({from:O}) is after query.StartedTo ({to:O})."), "query.StartedFrom");
        }
        if (query.PageSize is < 1 or > InvocationUsageQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("query.PageSize", query.PageSize, $"query.PageSize must be 1 to {InvocationUsageQuery.MaxPageSize}.");
        }
        var filters = new KeysetCursor.Filters("invocation_usage/1").Guid(query.RunId).Long(from?.UtcTicks).Long(to?.UtcTicks).ToArray();
        var after = query.Cursor is { } cursor
            ? KeysetCursor.Decode(cursor, filters, "query.Cursor", nameof(ListInvocationUsageAsync))
            : ((DateTimeOffset, Guid)?)null;
        var sql = InvocationUsageSql(query.RunId is not null, from is not null, to is not null, after is not null);
        var args = new List<object?>(7);
        if (query.RunId is { } run)
        {
            args.Add(run);
        }
        if (from is not null)
        {
            args.Add(from);
        }
        if (to is not null)
        {
            args.Add(to);
        }
        if (after is var (at, id))
        {
            args.Add(at);
            args.Add(id);
        }
        args.Add(query.PageSize + 1);
        var rows = await db.RunAsync(write: false, (session, ct) => session.ReadAsync(sql, [.. args], ReadInvocationUsage, ct), cancellationToken)
            .ConfigureAwait(false);
        if (rows.Count <= query.PageSize)
        {
            return new InvocationUsagePage { Items = rows };
        }
        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new InvocationUsagePage { Items = rows, NextCursor = KeysetCursor.Encode(last.StartedAt, last.InvocationId, filters) };
    }
}
