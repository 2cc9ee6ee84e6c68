using System.Diagnostics;
using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Persistence.Benchmarks.Reads;

/// <summary>
/// Reads at scale (<c>--quick --op reads</c>; <c>--op reads-small</c> for development): one database
/// seeded with <see cref="ReadShape"/>'s runs by <see cref="ReadSeeder"/>, measured at a small size,
/// then grown and measured again. Each read is timed call by call after a warm-up (median and 90th
/// percentile), and the plan of every list query is checked for full reads of a table (EXPLAIN).
/// The goal (issue 15): each read under 20 ms, and within 2x between the two sizes.
/// </summary>
internal static class ReadsMeasurement
{
    private const int Calls = 41;
    private const int PageSize = 20;
    private const int DeepPage = 50;

    /// <summary>
    /// A read's median and 90th percentile, and the rows (or steps) its last call returned; PostgreSQL,
    /// a listing: the plans its calls (warm-up and timed) ran with, generic and custom (<see cref="PlanCountsAsync"/>).
    /// </summary>
    public sealed record Timing(string Operation, double MedianMs, double P90Ms, int Rows, (long Generic, long Custom)? Plans = null);

    public sealed record Result(PipelineProvider Provider, int SmallRuns, int LargeRuns, long LargeSteps, TimeSpan SeedSmall, TimeSpan SeedLarge,
        List<Timing> Small, List<Timing> Large, List<string> PlanProblems, List<string> Plans);

    public static async Task<Result> MeasureAsync(PipelineProvider provider, bool small, Action<string> progress)
    {
        var (smallRuns, largeRuns) = small ? (100, 2000) : (1000, 20000);
        await using var database = await BenchDatabase.CreateAsync(provider);
        var clock = Stopwatch.StartNew();
        progress($"seeding {smallRuns:N0} runs");
        await ReadSeeder.SeedAsync(database, 0, smallRuns);
        var seedSmall = clock.Elapsed;
        // The deepest page both sizes have: page 50 of 20 runs at 1,000 runs.
        var deepPage = Math.Min(DeepPage, smallRuns / PageSize);
        var smallTimings = await TimeReadsAsync(database.Db, smallRuns, deepPage);
        var smallAnalyzed = await AnalyzeAsync(database.Db, smallRuns, deepPage);
        progress($"growing to {largeRuns:N0} runs");
        clock.Restart();
        await ReadSeeder.SeedAsync(database, smallRuns, largeRuns);
        var seedLarge = clock.Elapsed;
        var steps = await CountStepsAsync(database.Db);
        progress($"measuring at {largeRuns:N0} runs ({steps:N0} steps)");
        var largeTimings = await TimeReadsAsync(database.Db, largeRuns, deepPage);
        var (problems, plans) = await CheckPlansAsync(database.Db, largeRuns, deepPage);
        var largeAnalyzed = await AnalyzeAsync(database.Db, largeRuns, deepPage);
        plans.Add($"Plans at {smallRuns:N0} runs" + (provider == PipelineProvider.PostgreSql ? " (EXPLAIN (ANALYZE, BUFFERS)):" : ":"));
        plans.AddRange(smallAnalyzed);
        plans.Add($"Plans at {largeRuns:N0} runs" + (provider == PipelineProvider.PostgreSql ? " (EXPLAIN (ANALYZE, BUFFERS)):" : ":"));
        plans.AddRange(largeAnalyzed);
        return new Result(provider, smallRuns, largeRuns, steps, seedSmall, seedLarge, smallTimings, largeTimings, problems, plans);
    }

    /// <summary>The queries measured and planned: (name, query, how many pages to walk before the measured one).</summary>
    private static IEnumerable<(string Name, FeatureRunQuery Query, int Skip)> ListQueries(int runs, int deepPage) =>
    [
        ("ListFeatureRuns, first page", new FeatureRunQuery { PageSize = PageSize }, 0),
        ("ListFeatureRuns, first page, with tokens", new FeatureRunQuery { PageSize = PageSize, IncludeTokens = true }, 0),
        ($"ListFeatureRuns, page {deepPage} (cursor)", new FeatureRunQuery { PageSize = PageSize }, deepPage - 1),
        ("ListFeatureRuns, waiting for a human", new FeatureRunQuery { PageSize = PageSize, Status = RunStatus.WaitingForHuman }, 0),
        ("ListFeatureRuns, running", new FeatureRunQuery { PageSize = PageSize, Status = RunStatus.Running }, 0),
        ("ListFeatureRuns, phase failed", new FeatureRunQuery { PageSize = PageSize, Phase = FeaturePhase.Failed }, 0),
        ("ListFeatureRuns, one repository", new FeatureRunQuery { PageSize = PageSize, Repository = ReadShape.Repositories[3] }, 0),
        ("ListFeatureRuns, created in one day", new FeatureRunQuery
        {
            PageSize = PageSize, CreatedFrom = ReadShape.RunCreatedAt(runs / 2), CreatedTo = ReadShape.RunCreatedAt(runs / 2).AddDays(1),
        }, 0),
        ("ListFeatureRuns, prompt contains (rare text)", new FeatureRunQuery { PageSize = PageSize, PromptContains = $"request {runs / 2}:" }, 0),
        // In every prompt: SQLite counts the index's candidates, finds too many and reads the runs newest first.
        ("ListFeatureRuns, prompt contains (common text)", new FeatureRunQuery { PageSize = PageSize, PromptContains = "dark mode" }, 0),
        // Under three characters: no trigram, the runs newest first.
        ("ListFeatureRuns, prompt contains (2 characters)", new FeatureRunQuery { PageSize = PageSize, PromptContains = "pa" }, 0),
    ];

    private static async Task<FeatureRunQuery> AtPageAsync(PipelineDb db, FeatureRunQuery query, int skip)
    {
        for (var i = 0; i < skip; i++)
        {
            var page = await PipelinePersistence.ListFeatureRunsAsync(db, query);
            query = query with { Cursor = page.NextCursor ?? throw new InvalidOperationException($"No page {i + 2} of {query}.") };
        }
        return query;
    }

    private static async Task<List<Timing>> TimeReadsAsync(PipelineDb db, int runs, int deepPage)
    {
        var timings = new List<Timing>();
        foreach (var (name, list, skip) in ListQueries(runs, deepPage))
        {
            var query = await AtPageAsync(db, list, skip);
            var before = await PlanCountsAsync(db);
            var timing = await TimeAsync(name, async () =>
            {
                var page = await PipelinePersistence.ListFeatureRunsAsync(db, query);
                return page.Items.Count;
            });
            var after = await PlanCountsAsync(db);
            timings.Add(before is { } b && after is { } a ? timing with { Plans = (a.Generic - b.Generic, a.Custom - b.Custom) } : timing);
        }
        var big = ReadShape.RunId(0);
        timings.Add(await TimeAsync("GetFeatureRun", async () => (await PipelinePersistence.GetFeatureRunAsync(db, big)).Id == big ? 1 : 0));
        timings.Add(await TimeAsync($"GetRunTree, {ReadShape.BigRunSteps:N0} steps, without content", async () =>
            (await PipelinePersistence.GetRunTreeAsync(db, big)).Phases.Sum(p => p.Invocations.Sum(Steps))));
        // The page size of every list here, not the query's default (100): at 1,000 runs there are
        // about 22 open CTAs, at 20,000 about 500, so a page of 100 would compare 22 rows with 100.
        timings.Add(await TimeAsync("ListCtaEvents, open, first page", async () =>
            (await PipelinePersistence.ListCtaEventsAsync(db, new CtaEventQuery { PageSize = PageSize })).Items.Count));
        return timings;
    }

    /// <summary>
    /// PostgreSQL: the plans the listings' prepared statements have run with so far, generic and custom,
    /// summed (pg_prepared_statements, on the connection this call gets: calls one after another use
    /// the same one). A custom plan is a planning of its own (about 0.3 ms for these statements).
    /// </summary>
    private static async Task<(long Generic, long Custom)?> PlanCountsAsync(PipelineDb db)
    {
        if (db.Dialect.Kind != PipelineProvider.PostgreSql)
        {
            return null;
        }
        // The pattern split in two, so that this statement is not one of those it counts.
        var sql = new Sql("SELECT COALESCE(SUM(generic_plans), 0)::bigint, COALESCE(SUM(custom_plans), 0)::bigint FROM pg_prepared_statements "
            + "WHERE statement LIKE '%FROM agent.' || 'feature_runs r%'", [], [new("g", Col.Long), new("c", Col.Long)]);
        var row = await db.RunAsync(write: false, (session, ct) => session.QueryRowAsync(sql, [], ct), CancellationToken.None);
        return ((long)row![0]!, (long)row[1]!);
    }

    /// <summary>The steps of an invocation and of its sub-agents, theirs and so on.</summary>
    private static int Steps(InvocationNode node) => node.Steps.Count + node.SubAgents.Sum(Steps);

    private static async Task<Timing> TimeAsync(string name, Func<Task<int>> call)
    {
        // Warm up by time, not by a few calls: the JIT recompiles hot methods (tier 1) only after
        // they have run a while, and until then a read of 5,000 rows runs unoptimized code (TreeProfile).
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 8 || warm.Elapsed.TotalSeconds < 3; i++)
        {
            if (await call() == 0)
            {
                throw new InvalidOperationException($"{name} returned nothing: the seeded data does not fit the query.");
            }
        }
        var ms = new List<double>(Calls);
        var rows = 0;
        for (var i = 0; i < Calls; i++)
        {
            var watch = Stopwatch.StartNew();
            rows = await call();
            ms.Add(watch.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        return new Timing(name, ms[ms.Count / 2], ms[(int)(ms.Count * 0.9)], rows);
    }

    /// <summary>
    /// The plans of the reads whose time differed most between the sizes (issue 15): running and
    /// failed runs, open CTAs; on PostgreSQL run as well (ANALYZE, BUFFERS), so the rows and pages
    /// each step read can be compared between the sizes.
    /// </summary>
    private static async Task<List<string>> AnalyzeAsync(PipelineDb db, int runs, int deepPage)
    {
        var analyze = db.Dialect.Kind == PipelineProvider.PostgreSql;
        var lines = new List<string>();
        foreach (var (name, list, _) in ListQueries(runs, deepPage))
        {
            if (list.Status == RunStatus.Running || list.Phase == FeaturePhase.Failed || list.PromptContains is not null)
            {
                var listing = FeatureRunListing.For(list, db.Dialect.Kind);
                var plan = await QueryPlans.ExplainAsync(db, listing.PageSql, listing.Args, analyze: analyze);
                lines.Add($"{name} (the page alone):\n    " + string.Join("\n    ", plan));
            }
        }
        var cta = await QueryPlans.ExplainAsync(db, PipelinePersistence.CtaList(byRun: false, CtaEventState.Open, after: false), [PageSize + 1], analyze: analyze);
        lines.Add("ListCtaEvents, open, first page:\n    " + string.Join("\n    ", cta));
        return lines;
    }

    private static async Task<(List<string> Problems, List<string> Plans)> CheckPlansAsync(PipelineDb db, int runs, int deepPage)
    {
        var problems = new List<string>();
        var plans = new List<string>();
        foreach (var (name, list, _) in ListQueries(runs, deepPage))
        {
            var first = await PipelinePersistence.ListFeatureRunsAsync(db, list);
            foreach (var query in first.NextCursor is { } next ? [list, list with { Cursor = next }] : new[] { list })
            {
                var listing = FeatureRunListing.For(query, db.Dialect.Kind);
                // SQLite, a search: the listing that the count of the index's candidates chose.
                var (sql, args) = listing.ScanSql is { } scan && await ScansAsync(db, query) ? (scan, listing.ScanArgs!) : (listing.Sql, listing.Args);
                var plan = await QueryPlans.ExplainAsync(db, sql, args);
                var label = name + (query.Cursor is null ? "" : ", next page");
                plans.Add($"{label}:\n    " + string.Join("\n    ", plan));
                var full = QueryPlans.FullReads(plan, sorts: false);
                // A text under three characters has no trigram: it reads the runs until a page is full, by design (FeatureRunQuery.PromptContains).
                if (full.Length > 0 && (list.PromptContains is null || FeatureRunListing.Indexable(list.PromptContains) && sql != listing.ScanSql))
                {
                    problems.Add($"{label}: {string.Join(" | ", full.Select(l => l.Trim()))}");
                }
            }
        }
        return (problems, plans);
    }

    /// <summary>SQLite: whether the search's text has at least <see cref="FeatureRunListing.IndexedCandidates"/> candidates in the index.</summary>
    private static async Task<bool> ScansAsync(PipelineDb db, FeatureRunQuery query)
    {
        var count = new Sql($"SELECT COUNT(*) FROM (SELECT 1 FROM {{s}}.{FeatureRunListing.SearchTable}(@match) LIMIT {FeatureRunListing.IndexedCandidates})",
            [new("match", Col.Text)], [new("n", Col.Long)]);
        var match = "\"" + query.PromptContains!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var row = await db.RunAsync(write: false, (session, ct) => session.QueryRowAsync(count, [match], ct), CancellationToken.None);
        return (long)row![0]! >= FeatureRunListing.IndexedCandidates;
    }

    private static async Task<long> CountStepsAsync(PipelineDb db) =>
        (await db.RunAsync(write: false, (session, ct) => session.QueryRowAsync(
            new Sql("SELECT COUNT(*) FROM {s}.agent_steps", [], [new("n", Col.Long)]), [], ct), CancellationToken.None))![0] is long n ? n : 0;

    public static void Print(IReadOnlyList<Result> results, bool showPlans)
    {
        if (results.Count == 0)
        {
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var r0 = results[0];
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Reads at scale: median (p90) ms of {Calls} calls after a warm-up, page size {PageSize}; goal: each < 20 ms, and large/small ≤ 2×"));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"| read | provider | {r0.SmallRuns:N0} runs ms | {r0.LargeRuns:N0} runs ms | large/small | rows returned | goal met |"));
        Console.WriteLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            for (var i = 0; i < r.Small.Count; i++)
            {
                var (s, l) = (r.Small[i], r.Large[i]);
                var ratio = l.MedianMs / s.MedianMs;
                var met = l.MedianMs < 20 && s.MedianMs < 20 && ratio <= 2 ? "yes" : "no";
                // A ratio compares like with like only when both sizes returned as many rows.
                var rows = s.Rows == l.Rows ? s.Rows.ToString("N0", c) : $"{s.Rows:N0} / {l.Rows:N0} (differ)";
                Console.WriteLine(string.Create(c,
                    $"| {s.Operation} | {Name(r.Provider)} | {s.MedianMs:F2} ({s.P90Ms:F2}) | {l.MedianMs:F2} ({l.P90Ms:F2}) | {ratio:F2}× | {rows} | {met} |"));
            }
        }
        Console.WriteLine();
        foreach (var r in results.Where(r => r.Small.Any(t => t.Plans is not null)))
        {
            Console.WriteLine(string.Create(c, $"{Name(r.Provider)}, the plans each listing's calls ran with (warm-up and timed), generic / custom, at {r.SmallRuns:N0} → {r.LargeRuns:N0} runs:"));
            for (var i = 0; i < r.Small.Count; i++)
            {
                if (r.Small[i].Plans is { } s && r.Large[i].Plans is { } l)
                {
                    Console.WriteLine(string.Create(c, $"  {r.Small[i].Operation}: {s.Generic:N0} / {s.Custom:N0} → {l.Generic:N0} / {l.Custom:N0}"));
                }
            }
        }
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(c,
                $"{Name(r.Provider)}: {r.LargeRuns:N0} runs, {r.LargeSteps:N0} steps; seeding took {r.SeedSmall.TotalSeconds:F1} s ({r.SmallRuns:N0} runs) + {r.SeedLarge.TotalSeconds:F1} s (the rest)."));
            Console.WriteLine(r.PlanProblems.Count == 0
                ? $"{Name(r.Provider)}: every list query's plan but a search of a common or short text's (EXPLAIN at {r.LargeRuns:N0} runs, first and next page) reads through an index, no table whole."
                : $"{Name(r.Provider)}: PLANS WITH A FULL READ OF A TABLE:\n  " + string.Join("\n  ", r.PlanProblems));
            if (showPlans)
            {
                Console.WriteLine(string.Join("\n", r.Plans));
            }
        }
    }

    private static string Name(PipelineProvider provider) => provider == PipelineProvider.Sqlite ? "SQLite" : "PostgreSQL";
}
