using System.Diagnostics;
using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Reading;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Persistence.Benchmarks.Reads;

/// <summary>
/// <c>--quick --op reads-tree</c>: where the time of <c>GetRunTree</c> without content goes, for
/// development. A small database (<see cref="ReadShape"/>'s first runs, run 0 being the 5,000-step
/// one) is seeded; then the whole call and each of its statements alone (rows stepped through
/// without mapping, then mapped to records) are timed call by call: median elapsed, the
/// process's CPU time and the garbage collections (gen 0/1/2) per call, and the statements' plans.
/// </summary>
internal static class TreeProfile
{
    private const int Runs = 20;
    private const int Calls = 101;

    public static async Task RunAsync(PipelineProvider provider, Action<string> progress)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        progress($"seeding {Runs} runs");
        await ReadSeeder.SeedAsync(database, 0, Runs);
        var db = database.Db;
        var run = ReadShape.RunId(0);
        object?[] args = [run];
        var lines = new List<string>();
        // Steps as a real agent writes them: the request (the conversation so far) and the response are kilobytes each.
        _ = int.TryParse(Environment.GetEnvironmentVariable("AGENTPIPE_TREE_BODY_KB"), out var kb);
        if (kb > 0)
        {
            progress($"giving the big run's steps a {kb} KB request body and response body");
            var body = System.Text.Json.JsonDocument.Parse(
                "{\"messages\":[" + string.Join(",", Enumerable.Range(0, kb * 1024 / 64).Select(i => $"{{\"role\":\"user\",\"content\":\"line {i,8} of the talk so far.\"}}")) + "]}").RootElement;
            var update = new Sql("UPDATE {s}.agent_steps SET request_body = @body, response_body = @body WHERE run_id = @run_id",
                [new("body", Col.Json), new("run_id", Col.Guid)]);
            await db.RunAsync(write: true, async (session, ct) => await session.ExecuteAsync(update, [body, run], ct), CancellationToken.None);
        }
        // For a profiler (perf record): only the call, for that many seconds.
        if (int.TryParse(Environment.GetEnvironmentVariable("AGENTPIPE_TREE_LOOP_SECONDS"), out var seconds))
        {
            var until = Stopwatch.StartNew();
            var calls = 0;
            while (until.Elapsed.TotalSeconds < seconds)
            {
                await PipelinePersistence.GetRunTreeAsync(db, run);
                calls++;
            }
            Console.WriteLine($"{calls} calls in {seconds} s");
            return;
        }
        lines.Add(await TimeAsync("GetRunTree, without content", async () =>
            (await PipelinePersistence.GetRunTreeAsync(db, run)).Phases.Sum(p => p.Invocations.Sum(i => i.Steps.Count))));
        if (kb == 0) // with large bodies the content is hundreds of megabytes a call
        {
            lines.Add(await TimeAsync("GetRunTree, with content", async () =>
                (await PipelinePersistence.GetRunTreeAsync(db, run, new RunTreeOptions { IncludeContent = true })).Phases.Sum(p => p.Invocations.Sum(i => i.Steps.Count))));
        }
        // ReadFeatureRun, the first part of the tree: the run, its open CTAs and its token totals.
        lines.Add(await TimeAsync("GetFeatureRun", async () => (await PipelinePersistence.GetFeatureRunAsync(db, run)).OpenCtaCount));
        lines.Add(await TimeAsync("run token totals", () => ReadAsync(db, PipelinePersistence.RunTokens, args, r => r.LongOrNull(0))));
        foreach (var (name, sql, map) in Statements())
        {
            lines.Add(await TimeAsync($"{name}: rows only", () => ReadAsync(db, sql, args, _ => 0)));
            lines.Add(await TimeAsync($"{name}: mapped", () => ReadAsync(db, sql, args, map)));
            lines.Add(await TimeAsync($"{name}: mapped, in a snapshot", async () => await db.RunAsync(write: false, async (session, ct) =>
            {
                await session.BeginSnapshotAsync(ct);
                var n = (await session.ReadAsync(sql, args, map, ct)).Count;
                await session.CommitAsync(ct);
                return n;
            }, CancellationToken.None)));
        }
        Console.WriteLine();
        Console.WriteLine($"GetRunTree of {ReadShape.BigRunSteps:N0} steps on {(provider == PipelineProvider.Sqlite ? "SQLite" : "PostgreSQL")}: median (p90) ms and CPU ms per call over {Calls} calls");
        foreach (var line in lines)
        {
            Console.WriteLine("  " + line);
        }
        foreach (var (name, sql, _) in Statements().Append(("run token totals", PipelinePersistence.RunTokens, _ => 0)))
        {
            Console.WriteLine($"  plan of {name}:\n      " + string.Join("\n      ", await QueryPlans.ExplainAsync(db, sql, args)));
            if (provider == PipelineProvider.PostgreSql)
            {
                // The server's own time for the statement.
                var analyze = new Sql("EXPLAIN (ANALYZE, BUFFERS) " + sql.TextFor(db.Dialect), sql.Parameters, [new("plan", Col.Text)]);
                var rows = await db.RunAsync(write: false, (session, ct) => session.QueryRowsAsync(analyze, args, ct), CancellationToken.None);
                Console.WriteLine("      " + string.Join("\n      ", rows.Select(r => (string)r[0]!)));
            }
        }
    }

    private static IEnumerable<(string Name, Sql Sql, Func<Row, object> Map)> Statements() =>
    [
        ("steps", ByRun(RowReaders.Steps.Light.Projection, "t.invocation_id, t.step_number"), r => RowReaders.Steps.Light.Read(r)),
        ("tool calls", ByRun(RowReaders.Tools.Light.Projection, "t.created_at, t.id"), r => RowReaders.Tools.Light.Read(r)),
        // The statements GetRunTree runs are these (TreeColumns' orders); the two below are the rest of its reads.
        ("invocations", ByRun(RowReaders.Invocations.Light.Projection, "t.started_at, t.id"), r => RowReaders.Invocations.Light.Read(r)),
    ];

    private static Sql ByRun(Projection projection, string order) =>
        new($"SELECT {projection.List("t")} FROM {{s}}.{projection.Table} t WHERE t.run_id = @run_id ORDER BY {order}", [new("run_id", Col.Guid)]);

    private static async Task<int> ReadAsync<T>(PipelineDb db, Sql sql, object?[] args, Func<Row, T> map) =>
        (await db.RunAsync(write: false, (session, ct) => session.ReadAsync(sql, args, map, ct), CancellationToken.None)).Count;

    private static async Task<string> TimeAsync(string name, Func<Task<int>> call)
    {
        // Warm up for a second, not a few calls: the JIT compiles hot methods again (tier 1) only after
        // 30 calls and a quiet 100 ms, on a background thread. Ten calls measured GetRunTree's tier-0 code
        // and that compiling, in a fresh process: about twice the steady time, and more CPU than elapsed.
        var count = 0;
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 10 || warm.Elapsed.TotalSeconds < 3; i++)
        {
            count = await call();
        }
        var ms = new List<double>(Calls);
        var gc0 = GC.CollectionCount(0);
        var gc1 = GC.CollectionCount(1);
        var gc2 = GC.CollectionCount(2);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var all = Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            var watch = Stopwatch.StartNew();
            await call();
            ms.Add(watch.Elapsed.TotalMilliseconds);
        }
        all.Stop();
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Calls;
        ms.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $"{name,-36} {ms[Calls / 2],7:F2} ({ms[(int)(Calls * 0.9)],7:F2}) ms, CPU {cpuMs,6:F2} ms, {count} rows, GCs {GC.CollectionCount(0) - gc0}/{GC.CollectionCount(1) - gc1}/{GC.CollectionCount(2) - gc2}");
    }
}
