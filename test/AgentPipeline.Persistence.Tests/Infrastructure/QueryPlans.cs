using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>
/// The plan a statement of the store gets, read through the store's own session with the call's
/// own values bound (SQLite <c>EXPLAIN QUERY PLAN</c>, PostgreSQL <c>EXPLAIN</c>), and the check that
/// it reads no large table whole. Shared by the tests and the benchmarks' <c>--op reads</c>.
/// </summary>
internal static class QueryPlans
{
    /// <summary>
    /// The plan's lines. <paramref name="indexesOnly"/> (PostgreSQL): plan with sequential scans and
    /// sorts priced out, which shows whether an index can serve the statement at all, whatever the
    /// size of the tables (on a small table the planner rightly prefers reading it whole).
    /// </summary>
    /// <remarks><paramref name="analyze"/> (PostgreSQL): run the statement too, <c>EXPLAIN (ANALYZE, BUFFERS)</c>: rows and pages each node read.</remarks>
    public static async Task<string[]> ExplainAsync(PipelineDb db, Sql sql, object?[] args, bool indexesOnly = false, bool analyze = false)
    {
        var sqlite = db.Dialect.Kind == PipelineProvider.Sqlite;
        var template = sql.TextFor(db.Dialect);
        var explain = sqlite
            ? new Sql("EXPLAIN QUERY PLAN " + template, sql.Parameters,
                [new("id", Col.Long), new("parent", Col.Long), new("notused", Col.Long), new("detail", Col.Text)])
            : new Sql((analyze ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN ") + template, sql.Parameters, [new("plan", Col.Text)]);
        var off = new Sql("SET enable_seqscan = off; SET enable_sort = off", []);
        var reset = new Sql("RESET enable_seqscan; RESET enable_sort", []);
        return await db.RunAsync(write: false, async (session, ct) =>
        {
            if (indexesOnly && !sqlite)
            {
                await session.ExecuteAsync(off, [], ct);
            }
            try
            {
                var rows = await session.QueryRowsAsync(explain, args, ct);
                return rows.Select(r => (string)r[sqlite ? 3 : 0]!).ToArray();
            }
            finally
            {
                if (indexesOnly && !sqlite)
                {
                    await session.ExecuteAsync(reset, [], ct);
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// The lines of <paramref name="plan"/> that read a table whole (SQLite <c>SCAN t</c> without an
    /// index, PostgreSQL <c>Seq Scan</c>) and, with <paramref name="sorts"/>, those that sort the rows
    /// found (SQLite <c>USE TEMP B-TREE</c>, PostgreSQL <c>Sort</c>) rather than read them in an
    /// index's order. A walk of an index in the order asked for (<c>SCAN r USING INDEX</c>, <c>Index
    /// Scan Backward</c>) stops when the page is full, so it is not one. A sort of a set an index
    /// bounds (the open CTAs) is cheap when the planner chooses it, so the benchmark, which plans
    /// freely on a large database, leaves sorts out.
    /// </summary>
    /// <summary>SQLite: an FTS5 table read through its full-text index (<c>MATCH</c>: <c>M</c> in the plan's index string), or a pass over a subquery's rows, not a table read whole.</summary>
    private static bool NotATableReadWhole(string line) =>
        System.Text.RegularExpressions.Regex.IsMatch(line, @"VIRTUAL TABLE INDEX \d+:M")
        // SQLite: a pass over ListFeatureRuns' page of runs (WITH page …) or its token sums (u, p), not a table.
        || System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s*SCAN (page|p|u)$");

    public static string[] FullReads(string[] plan, bool sorts = true) =>
    [
        .. plan.Where(line =>
            (line.TrimStart().StartsWith("SCAN ", StringComparison.Ordinal) && !line.Contains(" USING ", StringComparison.Ordinal) && !NotATableReadWhole(line))
            || line.Contains("Seq Scan", StringComparison.Ordinal)
            || (sorts && (line.Contains("USE TEMP B-TREE", StringComparison.Ordinal)
                || line.TrimStart().StartsWith("Sort", StringComparison.Ordinal)
                || line.Contains("->  Sort", StringComparison.Ordinal)))),
    ];
}
