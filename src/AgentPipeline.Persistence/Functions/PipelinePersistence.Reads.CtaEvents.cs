using System.Collections.Concurrent;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Reading;

namespace AgentPipeline.Persistence;

/// <summary>Reading back: pages of CTAs, open or resolved, of one run or of all.</summary>
public static partial class PipelinePersistence
{
    // One statement per shape of query (run or not, state, cursor or not), made on first use.
    private static readonly ConcurrentDictionary<(bool ByRun, CtaEventState State, bool After), Sql> CtaListSql = new();

    /// <summary>The statement ListCtaEventsAsync runs for a query of this shape (internal for the query-plan checks).</summary>
    internal static Sql CtaList(bool byRun, CtaEventState state, bool after) => CtaListSql.GetOrAdd((byRun, state, after), static key =>
    {
        var where = new List<string>();
        var parameters = new List<Param>();
        if (key.ByRun)
        {
            where.Add("t.run_id = @run_id");
            parameters.Add(P("run_id", Col.Guid));
        }
        if (key.State != CtaEventState.All)
        {
            where.Add(key.State == CtaEventState.Open ? "t.responded_at IS NULL" : "t.responded_at IS NOT NULL");
        }
        if (key.After)
        {
            // A row-value comparison: both providers start the index range of (requested_at, id) there.
            where.Add("(t.requested_at, t.id) > (@after_at, @after_id)");
            parameters.Add(P("after_at", Col.Time));
            parameters.Add(P("after_id", Col.Guid));
        }
        parameters.Add(P("limit", Col.Int));
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        return new Sql($"SELECT {RowReaders.Ctas.Whole.Projection.List("t")} FROM {{s}}.cta_events t{filter} ORDER BY t.requested_at, t.id LIMIT @limit",
            [.. parameters]);
    });

    /// <summary>
    /// A page of CTAs, oldest first (<c>requested_at</c>, then id): open (the default), resolved or
    /// all, of one run or of every run. Pages continue by keyset (<see cref="CtaEventPage.NextCursor"/>),
    /// never by offset, so a page costs the same however far it is.
    /// </summary>
    /// <exception cref="ArgumentException">The run id is empty, the page size is outside 1 to <see cref="CtaEventQuery.MaxPageSize"/>, or the cursor is not one this function returned for the same run and state; nothing was read.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<CtaEventPage> ListCtaEventsAsync(PipelineDb db, CtaEventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        if (query.RunId is { } runId)
        {
            Check.Id(runId, "query.RunId");
        }
        if (query.PageSize is < 1 or > CtaEventQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("query.PageSize", query.PageSize, $"query.PageSize must be 1 to {CtaEventQuery.MaxPageSize}.");
        }
        if (!Enum.IsDefined(query.State))
        {
            throw new ArgumentOutOfRangeException("query.State", query.State, "Not a CtaEventState.");
        }
        var filters = new KeysetCursor.Filters("cta_events/1").Guid(query.RunId).Long((int)query.State).ToArray();
        var after = query.Cursor is { } cursor
            ? KeysetCursor.Decode(cursor, filters, "query.Cursor", nameof(ListCtaEventsAsync))
            : ((DateTimeOffset, Guid)?)null;
        var sql = CtaList(query.RunId is not null, query.State, after is not null);
        var args = new List<object?>();
        if (query.RunId is { } run)
        {
            args.Add(run);
        }
        if (after is var (at, id))
        {
            args.Add(at);
            args.Add(id);
        }
        args.Add(query.PageSize + 1);
        var rows = await db.RunAsync(write: false, (session, ct) => session.ReadAsync(sql, [.. args], RowReaders.Ctas.Whole.Read, ct), cancellationToken)
            .ConfigureAwait(false);
        if (rows.Count <= query.PageSize)
        {
            return new CtaEventPage { Items = rows };
        }
        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new CtaEventPage { Items = rows, NextCursor = KeysetCursor.Encode(last.RequestedAt, last.Id, filters) };
    }
}
