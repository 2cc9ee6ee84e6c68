using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Internal;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentPipeline.Persistence.Benchmarks.Reads;

/// <summary>
/// <c>--quick --op reads-cta</c>: where the time of <c>ListCtaEvents</c> of open CTAs goes on SQLite
/// as the database grows (1,000, 5,000, 20,000 runs), for development: the whole call, the
/// statement alone on a connection of its own (default cache, a larger cache, memory-mapped), the
/// call after another read that walks many pages, and the pages each reads from the page cache and from the file.
/// </summary>
internal static class CtaProfile
{
    private const int Calls = 201;

    public static async Task RunAsync(Action<string> progress)
    {
        await using var database = await BenchDatabase.CreateAsync(PipelineProvider.Sqlite);
        var db = database.Db;
        var seeded = 0;
        foreach (var size in new[] { 1000, 5000, 20000 })
        {
            progress($"seeding to {size:N0} runs");
            await ReadSeeder.SeedAsync(database, seeded, size);
            seeded = size;
            progress($"measuring at {size:N0} runs");
            var lines = new List<string>();
            var sql = PipelinePersistence.CtaList(byRun: false, CtaEventState.Open, after: false);
            var text = sql.TextFor(db.Dialect);
            lines.Add(await FactsAsync(database.Target, text));
            var handle = await HandleAsync(db);
            lines.Add(await TimeAsync("API call, default page (100)", handle, async () => (await PipelinePersistence.ListCtaEventsAsync(db, new CtaEventQuery())).Items.Count));
            lines.Add(await TimeAsync("API call, page 20", handle, async () => (await PipelinePersistence.ListCtaEventsAsync(db, new CtaEventQuery { PageSize = 20 })).Items.Count));
            var big = ReadShape.RunId(0);
            lines.Add(await TimeAsync("API call after a GetRunTree (not timed)", handle,
                async () => (await PipelinePersistence.ListCtaEventsAsync(db, new CtaEventQuery { PageSize = 20 })).Items.Count,
                before: async () => await PipelinePersistence.GetRunTreeAsync(db, big)));
            lines.Add(await TimeAsync("API call after a first page of runs (not timed)", handle,
                async () => (await PipelinePersistence.ListCtaEventsAsync(db, new CtaEventQuery { PageSize = 20 })).Items.Count,
                before: async () => await PipelinePersistence.ListFeatureRunsAsync(db, new FeatureRunQuery { PageSize = 20 })));
            foreach (var (name, pragma) in new[]
            {
                ("statement alone, default cache", ""),
                ("statement alone, cache_size -65536", "PRAGMA cache_size = -65536;"),
                ("statement alone, mmap_size 256 MB", "PRAGMA mmap_size = 268435456;"),
            })
            {
                lines.Add(await AloneAsync(name, database.Target, pragma, text));
            }
            Console.WriteLine($"At {size:N0} runs:");
            foreach (var line in lines)
            {
                Console.WriteLine("  " + line);
            }
        }
    }

    /// <summary>The pooled connection the library uses for sequential reads (the top of its idle stack); the session keeps it protected.</summary>
    private static async Task<sqlite3> HandleAsync(PipelineDb db) =>
        await db.RunAsync(write: false, (session, _) =>
        {
            var property = typeof(Session).GetProperty("Connection", BindingFlags.Instance | BindingFlags.NonPublic)!;
            return Task.FromResult(((SqliteConnection)property.GetValue(session)!).Handle!);
        }, CancellationToken.None);

    private static async Task<string> FactsAsync(string path, string text)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        await connection.OpenAsync();
        string One(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "null";
        }
        var plan = new List<string>();
        using (var explain = connection.CreateCommand())
        {
            explain.CommandText = "EXPLAIN QUERY PLAN " + text.Replace("@limit", "21", StringComparison.Ordinal);
            using var reader = explain.ExecuteReader();
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }
        var rows = One("SELECT count(*) FROM (" + text.Replace("@limit", "21", StringComparison.Ordinal) + ")");
        var bytes = One("SELECT sum(length(request_message) + length(kind)) FROM (SELECT * FROM cta_events WHERE responded_at IS NULL ORDER BY requested_at, id LIMIT 21)");
        var rowids = One("SELECT group_concat(rowid) FROM (SELECT rowid FROM cta_events WHERE responded_at IS NULL ORDER BY requested_at, id LIMIT 21)");
        return $"open {One("SELECT count(*) FROM cta_events WHERE responded_at IS NULL")} of {One("SELECT count(*) FROM cta_events")} CTAs; page {rows} rows, {bytes} bytes of text; rowids {rowids}; "
            + $"file {new FileInfo(path).Length / 1048576.0:F0} MB, page_size {One("PRAGMA page_size")}, cache_size {One("PRAGMA cache_size")}, mmap_size {One("PRAGMA mmap_size")}; plan: {string.Join(" / ", plan)}";
    }

    private static async Task<string> TimeAsync(string name, sqlite3 handle, Func<Task<int>> call, Func<Task>? before = null)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 8 || warm.Elapsed.TotalSeconds < 2; i++)
        {
            if (before is not null)
            {
                await before();
            }
            await call();
        }
        var ms = new List<double>(Calls);
        long hits = 0, misses = 0;
        for (var i = 0; i < Calls; i++)
        {
            if (before is not null)
            {
                await before();
            }
            raw.sqlite3_db_status(handle, raw.SQLITE_DBSTATUS_CACHE_HIT, out _, out _, 1);
            raw.sqlite3_db_status(handle, raw.SQLITE_DBSTATUS_CACHE_MISS, out _, out _, 1);
            var watch = Stopwatch.StartNew();
            await call();
            ms.Add(watch.Elapsed.TotalMilliseconds);
            raw.sqlite3_db_status(handle, raw.SQLITE_DBSTATUS_CACHE_HIT, out var h, out _, 0);
            raw.sqlite3_db_status(handle, raw.SQLITE_DBSTATUS_CACHE_MISS, out var m, out _, 0);
            hits += h;
            misses += m;
        }
        ms.Sort();
        var rows = await call();
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: {rows} rows, {ms[ms.Count / 2]:F3} ms (p10 {ms[ms.Count / 10]:F3}, p90 {ms[ms.Count * 9 / 10]:F3}); pages a call: {hits / (double)Calls:F1} from the cache, {misses / (double)Calls:F1} read from the file");
    }

    /// <summary>The statement alone on a connection of its own: prepared once, stepped through, every column read as text.</summary>
    private static async Task<string> AloneAsync(string name, string path, string pragma, string text)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        if (pragma.Length > 0)
        {
            using var command = connection.CreateCommand();
            command.CommandText = pragma;
            command.ExecuteNonQuery();
        }
        var handle = connection.Handle!;
        if (raw.sqlite3_prepare_v2(handle, text, out var stmt) != raw.SQLITE_OK)
        {
            throw new InvalidOperationException(raw.sqlite3_errmsg(handle).utf8_to_string());
        }
        using (stmt)
        {
            raw.sqlite3_bind_int(stmt, raw.sqlite3_bind_parameter_index(stmt, "@limit"), 21);
            var columns = raw.sqlite3_column_count(stmt);
            int Once()
            {
                var n = 0;
                while (raw.sqlite3_step(stmt) == raw.SQLITE_ROW)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        _ = raw.sqlite3_column_blob(stmt, c);
                    }
                    n++;
                }
                raw.sqlite3_reset(stmt);
                return n;
            }
            return await TimeAsync(name, handle, () => Task.FromResult(Once()));
        }
    }
}
