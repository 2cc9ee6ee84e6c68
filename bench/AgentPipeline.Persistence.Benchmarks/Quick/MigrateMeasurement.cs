using System.Diagnostics;
using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// "migrate, up to date" (<c>--quick --op migrate</c>, and part of the default quick run): what
/// <see cref="PipelineDb.MigrateAsync"/> costs on a database that has every migration, as an
/// application calling it at every start pays it. Ours (one read of the history) against EF Core's
/// migrator on a new context, which is what MigrateAsync ran before; each on the shared handle
/// (warm) and on a handle opened for the call (its first connection included).
/// </summary>
internal static class MigrateMeasurement
{
    public sealed record Result(PipelineProvider Provider, double OursWarmMs, double OursNewHandleMs, double EfWarmMs, double EfNewHandleMs, int Rounds);

    public static async Task<Result> MeasureAsync(PipelineProvider provider, int rounds)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        var db = database.Db;
        async Task Ours(PipelineDb on) => await on.MigrateAsync();
        async Task Ef(PipelineDb on)
        {
            await using var context = on.CreateDbContext();
            await context.Database.MigrateAsync();
        }
        async Task<double> NewHandle(Func<PipelineDb, Task> migrate)
        {
            var watch = Stopwatch.StartNew();
            await using (var fresh = PipelineDb.Open(database.Target))
            {
                await migrate(fresh);
            }
            return watch.Elapsed.TotalMilliseconds;
        }
        async Task<double> Warm(Func<PipelineDb, Task> migrate, int calls)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                await migrate(db);
            }
            return watch.Elapsed.TotalMilliseconds / calls;
        }

        // Warm-up: JIT, EF Core's model and migrations assembly, the pools.
        for (var i = 0; i < 5; i++)
        {
            await Warm(Ours, 20);
            await Warm(Ef, 2);
            await NewHandle(Ours);
            await NewHandle(Ef);
        }
        var oursWarm = new List<double>();
        var oursNew = new List<double>();
        var efWarm = new List<double>();
        var efNew = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            GC.Collect();
            oursWarm.Add(await Warm(Ours, 50));
            oursNew.Add(await NewHandle(Ours));
            efWarm.Add(await Warm(Ef, 3));
            efNew.Add(await NewHandle(Ef));
        }
        return new Result(provider, Median(oursWarm), Median(oursNew), Median(efWarm), Median(efNew), rounds);
    }

    public static void Print(IReadOnlyList<Result> results)
    {
        if (results.Count == 0)
        {
            return;
        }
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"migrate, up to date: MigrateAsync on a database with every migration, medians of {results[0].Rounds} rounds (goal: ≤ 50 ms)");
        Console.WriteLine();
        Console.WriteLine("| operation | provider | ours ms (shared handle) | ours ms (new handle) | EF Core migrator ms (shared handle) | EF Core migrator ms (new handle) | EF/ours (shared) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(c,
                $"| migrate, up to date | {(r.Provider == PipelineProvider.Sqlite ? "SQLite" : "PostgreSQL")} | {r.OursWarmMs:F2} | {r.OursNewHandleMs:F2} | {r.EfWarmMs:F1} | {r.EfNewHandleMs:F1} | {r.EfWarmMs / r.OursWarmMs:F0}× |"));
        }
        Console.WriteLine();
        Console.WriteLine("EF Core migrator: context.Database.MigrateAsync() on a new context, what PipelineDb.MigrateAsync ran on every call before it read the history first.");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
