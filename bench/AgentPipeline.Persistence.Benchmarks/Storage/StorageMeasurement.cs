using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>
/// <c>--op storage</c> (docs/storage.md): an agent loop of 25 to 400 steps (<see cref="AgentLoop"/>)
/// written through the library into a fresh database per size, then a whole run with sub-agents
/// (<see cref="WholeRun"/>). For each: the bytes the database grew by, against the loop's unique
/// content; the time of <c>CreateAgentStep</c> at steps 10, 100 and 400; the time to read the last
/// step whole (<c>GetAgentStep</c>), whose request body is checked to come back as written.
/// It measures; it asserts nothing but that exactness.
/// </summary>
internal static class StorageMeasurement
{
    private const int ReadRepeats = 9;

    /// <summary>PostgreSQL: the compression of <c>agent_steps.request_body</c>, for the report.</summary>
    private static string? _compression;

    /// <summary>Where a table's bytes come from: SQLite's dbstat pages of the table and its indexes, or PostgreSQL's pg_total_relation_size.</summary>
    public sealed record TableBytes(string Table, long Bytes);

    public sealed record Result(
        PipelineProvider Provider, string Label, int Invocations, int Steps, long StoredBytes, long UniqueBytes, long LiteralRequestBytes,
        long LargestRequestBytes, IReadOnlyList<WrittenStep> Written, double ReadLastMs, double ReadNewHandleMs, long? VacuumedBytes, List<TableBytes> Tables, double WriteSeconds, long RequestBodyColumnBytes, long ImageBytes);

    public static async Task<int> RunAsync(StorageOptions options)
    {
        var total = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        var results = new List<Result>();
        var settings = new List<string>();
        foreach (var provider in options.Providers)
        {
            if (provider == PipelineProvider.PostgreSql)
            {
                var server = await BenchServer.DescribeAsync();
                settings.Add(server + (BenchServer.PostmasterPid is null
                    ? "; CPU figures: this process only (a server this process did not start)"
                    : "; CPU figures: this process and the server's processes"));
            }
            // Warm-up, not reported: the library's code compiled and tiered, pools and statements ready, so the first size's early steps are not the JIT's.
            Progress($"{Name(provider)}: warming up (a loop of 30 steps, not reported)");
            await MeasureAsync(provider, "warm-up", [new PlannedInvocation(FeaturePhase.Implementation, AgentType.Coder, -1,
                new AgentLoop(AgentKit.For("coder", options.Seed + 1), options.NewShape(), "Warm up.", 30, options.Seed + 1))]);
            foreach (var steps in options.Steps)
            {
                Progress($"{Name(provider)}: one loop of {steps} steps");
                var shape = options.NewShape();
                var kit = AgentKit.For("coder", options.Seed);
                var loop = new AgentLoop(kit, shape, "Add CSV export to the orders page. Reuse the filtered orders query; keep the public API unchanged.",
                    steps, options.Seed);
                results.Add(await MeasureAsync(provider, $"{steps} steps, one invocation", [new PlannedInvocation(FeaturePhase.Implementation, AgentType.Coder, -1, loop)]));
            }
            if (options.WholeRun)
            {
                var plan = WholeRun.Plan(options.NewShape(), options.Seed, options.Quick);
                Progress($"{Name(provider)}: a whole run, {plan.Count} invocations, {plan.Sum(p => p.Loop.StepCount)} steps");
                results.Add(await MeasureAsync(provider, "whole run", plan));
            }
        }
        Print(results, options, settings, loadBefore, LoadAverage(), total.Elapsed);
        return 0;
    }

    private static async Task<Result> MeasureAsync(PipelineProvider provider, string label, IReadOnlyList<PlannedInvocation> plan)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        var db = database.Db;
        LoopWriter.ServerPid = provider == PipelineProvider.PostgreSql ? BenchServer.PostmasterPid : null;
        var (emptyBytes, _) = await SizeAsync(database);
        if (provider == PipelineProvider.PostgreSql)
        {
            _compression ??= await RequestBodyCompressionAsync(database.Target);
        }
        var run = await PipelinePersistence.CreateFeatureRunAsync(db, new NewFeatureRun
        {
            Prompt = "Add CSV export to the orders page", GithubRepoUrl = "https://github.com/example/shop", GithubBranch = "feature/csv-export",
        });
        var phases = new Dictionary<FeaturePhase, Guid>();
        var invocations = new Guid[plan.Count];
        var written = new List<WrittenStep>();
        var unique = new HashSet<string>(StringComparer.Ordinal);
        long literal = 0;
        var largestRequest = "";
        WrittenStep? largestStep = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < plan.Count; i++)
        {
            var planned = plan[i];
            if (!phases.TryGetValue(planned.Phase, out var phase))
            {
                if (phases.Count > 0)
                {
                    await PipelinePersistence.UpdateFeatureRunPhaseAsync(db, run, planned.Phase);
                }
                phase = phases[planned.Phase] = await PipelinePersistence.CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run, Phase = planned.Phase });
            }
            var (invocation, steps, lastRequest) = await LoopWriter.WriteAsync(db, phase, planned.Parent >= 0 ? invocations[planned.Parent] : null, planned.Type, planned.Loop);
            invocations[i] = invocation;
            // A loop's last request is its largest (each request holds the one before it).
            if (largestStep is null || steps[^1].RequestBytes > largestStep.RequestBytes)
            {
                (largestStep, largestRequest) = (steps[^1], lastRequest);
            }
            written.AddRange(steps);
            literal += steps.Sum(s => s.RequestBytes);
            unique.UnionWith(planned.Loop.UniqueTexts());
        }
        var writeSeconds = clock.Elapsed.TotalSeconds;
        if (Environment.GetEnvironmentVariable("AGENTPIPE_BENCH_STORAGE_TRACE") == "1")
        {
            foreach (var w in written)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {w.StepNumber + 1}: {w.RequestBytes / 1e6:F3} MB, {w.Milliseconds:F1} ms, {w.CpuMilliseconds:F1} ms CPU"));
            }
        }

        // The bytes the writes left, before any maintenance: VACUUM below adds a free-space map (3 pages) and a visibility
        // map (1 page) to each table and index with data, a fixed 0.2-0.3 MB here however long the loop; printed apart.
        var (totalBytes, tables) = await SizeAsync(database);

        // Before the reads are timed, in both builds compared: PostgreSQL's own work after the writes (autovacuum, the
        // checkpointer) is done, and the writes' garbage (every request of the loop, up to 3 MB each) collected, so
        // that no read is charged with either.
        if (database.Provider == PipelineProvider.PostgreSql)
        {
            await using var settle = new NpgsqlConnection(database.Target);
            await settle.OpenAsync();
            foreach (var statement in new[] { "VACUUM (ANALYZE)", "CHECKPOINT" })
            {
                await using var command = new NpgsqlCommand(statement, settle) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync();
            }
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        // The step with the largest request: a loop's last step.
        var readMs = await TimeReadAsync(db, largestStep!.Id, largestRequest, "the writer's handle");
        // The same step through a handle of its own (new connections; on PostgreSQL, new server processes): a reader
        // that did not write the loop, as the CLI, an explorer or an orchestrator resumed in a new process are.
        double newHandleMs;
        await using (var reader = database.OpenAnotherHandle())
        {
            newHandleMs = await TimeReadAsync(reader, largestStep.Id, largestRequest, "a new handle");
        }
        if (double.TryParse(Environment.GetEnvironmentVariable("AGENTPIPE_BENCH_READ_PROFILE"), CultureInfo.InvariantCulture, out var profileSeconds))
        {
            await ReadProfile.RunAsync(db, largestStep.Id, profileSeconds);
        }

        var vacuumedBytes = database.Provider == PipelineProvider.PostgreSql ? (await SizeAsync(database)).Bytes - emptyBytes : (long?)null;
        return new Result(provider, label, plan.Count, written.Count, totalBytes - emptyBytes, unique.Sum(t => (long)Encoding.UTF8.GetByteCount(t)),
            literal, largestStep.RequestBytes, written, readMs, newHandleMs, vacuumedBytes, tables, writeSeconds, await RequestBodyBytesAsync(database),
            unique.Where(t => t.Contains("base64", StringComparison.Ordinal)).Sum(t => (long)Encoding.UTF8.GetByteCount(t)));
    }

    /// <summary>Reads the step whole, <see cref="ReadRepeats"/> times after two warm-ups; checks once that the request body is the text written.</summary>
    private static async Task<double> TimeReadAsync(PipelineDb db, Guid stepId, string expectedRequest, string through)
    {
        var first = await PipelinePersistence.GetAgentStepAsync(db, stepId);
        var read = first.RequestBody?.GetRawText();
        if (!string.Equals(read, expectedRequest, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The last step's request_body did not come back as written ({read?.Length ?? -1} characters read, {expectedRequest.Length} written).");
        }
        await PipelinePersistence.GetAgentStepAsync(db, stepId);
        // AGENTPIPE_BENCH_READ_SECONDS=N: read for N seconds first (the tier-1 JIT), then for N seconds timed, instead of 9 reads after 2.
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("AGENTPIPE_BENCH_READ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 0;
        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < seconds;)
        {
            await PipelinePersistence.GetAgentStepAsync(db, stepId);
        }
        var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var ms = new List<double>(ReadRepeats);
        var cpu = new List<double>(ReadRepeats);
        var serverCpu = new List<double>();
        for (var (i, timed) = (0, Stopwatch.StartNew()); seconds > 0 ? timed.Elapsed.TotalSeconds < seconds : i < ReadRepeats; i++)
        {
            var serverBefore = LoopWriter.ServerPid is { } pid ? Quick.ProcessCpu.OfProcessTree(pid) : null;
            var cpuBefore = Quick.ProcessCpu.Now();
            var watch = Stopwatch.StartNew();
            var step = await PipelinePersistence.GetAgentStepAsync(db, stepId);
            ms.Add(watch.Elapsed.TotalMilliseconds);
            var used = (Quick.ProcessCpu.Now() - cpuBefore).TotalMilliseconds;
            cpu.Add(used);
            if (serverBefore is { } before && LoopWriter.ServerPid is { } after && Quick.ProcessCpu.OfProcessTree(after) is { } now)
            {
                serverCpu.Add((now - before).TotalMilliseconds);
            }
            GC.KeepAlive(step);
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"garbage collections during the timed reads: {GC.CollectionCount(0) - gc0.Item1}/{GC.CollectionCount(1) - gc0.Item2}/{GC.CollectionCount(2) - gc0.Item3} (gen 0/1/2), {(GC.GetTotalPauseDuration() - gc0.Item4).TotalMilliseconds:F0} ms paused, {(GC.GetTotalAllocatedBytes() - gc0.Item5) / 1e6 / ms.Count:F1} MB allocated per read"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read largest step through {through}: {Median(ms):F1} ms, {Median(cpu):F1} ms CPU{(serverCpu.Count > 0 ? $" + {Median(serverCpu):F1} ms the server's" : "")} (median of {ms.Count})"));
        return Median(ms);
    }

    /// <summary>The database's size: SQLite's file (and WAL) after a checkpoint, per table through dbstat; PostgreSQL's relations of schema agent, TOAST and indexes included.</summary>
    private static async Task<(long Bytes, List<TableBytes> Tables)> SizeAsync(BenchDatabase database)
    {
        if (database.Provider == PipelineProvider.Sqlite)
        {
            await database.SettleWalAsync();
            var file = new FileInfo(database.Target).Length;
            var wal = new FileInfo(database.Target + "-wal") is { Exists: true } w ? w.Length : 0;
            await using var connection = new SqliteConnection($"Data Source={database.Target};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            return (file + wal, await SqliteTablesAsync(connection));
        }
        await using (var connection = new NpgsqlConnection(database.Target))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'agent' AND c.relkind IN ('r', 'p', 'm') ORDER BY 2 DESC
                """, connection);
            var tables = new List<TableBytes>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(new TableBytes(reader.GetString(0), reader.GetInt64(1)));
            }
            return (tables.Sum(t => t.Bytes), tables);
        }
    }

    /// <summary>
    /// What <c>agent_steps.request_body</c> itself takes: SQLite, the bytes of its values
    /// (<c>length(CAST(… AS BLOB))</c>); PostgreSQL, their size as stored (<c>pg_column_size</c>, after compression).
    /// </summary>
    private static async Task<long> RequestBodyBytesAsync(BenchDatabase database)
    {
        if (database.Provider == PipelineProvider.Sqlite)
        {
            await using var connection = new SqliteConnection($"Data Source={database.Target};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(SUM(length(CAST(request_body AS BLOB))), 0) FROM agent_steps";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        await using var pg = new NpgsqlConnection(database.Target);
        await pg.OpenAsync();
        await using var sum = new NpgsqlCommand("SELECT COALESCE(SUM(pg_column_size(request_body)), 0)::bigint FROM agent.agent_steps", pg);
        return (long)(await sum.ExecuteScalarAsync())!;
    }

    /// <summary>The compression of <c>agent_steps.request_body</c> on PostgreSQL (lz4 where the server has it, else the server's default).</summary>
    private static async Task<string> RequestBodyCompressionAsync(string connectionString)
    {
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT CASE a.attcompression WHEN 'l' THEN 'lz4' WHEN 'p' THEN 'pglz' ELSE 'default_toast_compression = ' || current_setting('default_toast_compression') END " +
            "FROM pg_attribute a WHERE a.attrelid = 'agent.agent_steps'::regclass AND a.attname = 'request_body'", pg);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// SQLite's bytes per table: the pages of the table and its indexes (dbstat) when this SQLite has
    /// dbstat, else the UTF-8/blob bytes of every value in the table (<c>length(CAST(x AS BLOB))</c>,
    /// without page overhead or indexes), marked with a trailing <c>*</c>.
    /// </summary>
    private static async Task<List<TableBytes>> SqliteTablesAsync(SqliteConnection connection)
    {
        var tables = new List<TableBytes>();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT COALESCE(s.tbl_name, d.name) AS t, SUM(d.pgsize) FROM dbstat d LEFT JOIN sqlite_schema s ON s.name = d.name
                GROUP BY t ORDER BY 2 DESC
                """;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(new TableBytes(reader.GetString(0), reader.GetInt64(1)));
            }
            return tables;
        }
        catch (SqliteException)
        {
        }
        var names = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }
        foreach (var table in names)
        {
            var columns = new List<string>();
            await using (var info = connection.CreateCommand())
            {
                info.CommandText = "SELECT name FROM pragma_table_info($t)";
                info.Parameters.AddWithValue("$t", table);
                await using var reader = await info.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }
            static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var sum = connection.CreateCommand();
            // Table and column names come from the database's own schema, quoted; no value from outside.
            sum.CommandText = $"SELECT COALESCE(SUM({string.Join(" + ", columns.Select(c => $"COALESCE(length(CAST({Quote(c)} AS BLOB)), 0)"))}), 0) FROM {Quote(table)}";
            tables.Add(new TableBytes(table + "*", Convert.ToInt64(await sum.ExecuteScalarAsync(), CultureInfo.InvariantCulture)));
        }
        tables.Sort((a, b) => b.Bytes.CompareTo(a.Bytes));
        return tables;
    }

    /// <summary>Median ms of <c>CreateAgentStep</c> over the five steps (1-based numbers) around <paramref name="step"/>, within the loop.</summary>
    public static double? MsAtStep(IReadOnlyList<WrittenStep> steps, int step) => AtStep(steps, step, s => s.Milliseconds);

    /// <summary>Median CPU ms of <c>CreateAgentStep</c> over the same steps as <see cref="MsAtStep"/>.</summary>
    public static double? CpuAtStep(IReadOnlyList<WrittenStep> steps, int step) => AtStep(steps, step, s => s.CpuMilliseconds);

    private static double? AtStep(IReadOnlyList<WrittenStep> steps, int step, Func<WrittenStep, double> value)
    {
        if (step > steps.Count)
        {
            return null;
        }
        var end = Math.Min(step + 2, steps.Count);
        var start = Math.Max(1, end - 4);
        return Median([.. steps.Skip(start - 1).Take(end - start + 1).Select(value)]);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static void Print(List<Result> results, StorageOptions options, List<string> settings, string loadBefore, string loadAfter, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"Storage of an agent loop (--op storage{(options.Quick ? " --quick" : "")}, {options.Shape} request shape, seed {options.Seed}); {Build()}; load average before {loadBefore}, after {loadAfter}; {elapsed.TotalSeconds:F0} s in all."));
        var shape = options.NewShape();
        var kit = AgentKit.For("coder", options.Seed);
        var (prompt, tools) = (Encoding.UTF8.GetByteCount(kit.SystemPrompt), kit.Tools.Sum(t => Encoding.UTF8.GetByteCount(shape.ToolDefinition(t))));
        Console.WriteLine(string.Create(c, $"Fixed part: system prompt {prompt / 1000.0:F1} KB + {kit.Tools.Count} tool definitions {tools / 1000.0:F1} KB = {(prompt + tools) / 1000.0:F1} KB."));
        if (results.Where(r => r.Invocations == 1).MaxBy(r => r.Steps) is { } longest)
        {
            Console.WriteLine(string.Create(c,
                $"New content per step ({longest.Steps}-step loop): {(longest.UniqueBytes - prompt - tools) / 1000.0 / longest.Steps:F2} KB on average, of which screenshots {longest.ImageBytes / 1000.0 / longest.Steps:F2} KB ({longest.ImageBytes / 1e6:F2} MB in all)."));
        }
        foreach (var setting in settings)
        {
            Console.WriteLine(setting + (_compression is null ? "" : $"; agent_steps.request_body compression: {_compression}"));
        }
        Console.WriteLine();
        Console.WriteLine("| workload | provider | stored | unique content | stored / unique | request bodies (literal) | largest request | ms/step (CPU) @10 | @100 | @400 | read largest step ms: writer's handle | new handle |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            string Ms(int step) => r.Invocations == 1 && MsAtStep(r.Written, step) is { } ms
                ? string.Create(c, $"{ms:F1} ({CpuAtStep(r.Written, step)!.Value:F1})")
                : "–";
            var workload = r.Invocations == 1 ? r.Label : string.Create(c, $"{r.Label} ({r.Invocations} invocations, {r.Steps} steps)");
            Console.WriteLine(string.Create(c,
                $"| {workload} | {Name(r.Provider)} | {Mb(r.StoredBytes)} | {Mb(r.UniqueBytes)} | {(double)r.StoredBytes / r.UniqueBytes:F2}× | {Mb(r.LiteralRequestBytes)} | {Mb(r.LargestRequestBytes)} | {Ms(10)} | {Ms(100)} | {Ms(400)} | {r.ReadLastMs:F1} | {r.ReadNewHandleMs:F1} |"));
        }
        Console.WriteLine();
        Console.WriteLine("Bytes exactly (stored: as the writes left them, the empty schema's subtracted):");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(c, $"- {Name(r.Provider)}, {r.Label}: {r.StoredBytes:N0} stored, {r.UniqueBytes:N0} unique, {(double)r.StoredBytes / r.UniqueBytes:F3}×")
                + (r.VacuumedBytes is { } vacuumed
                    ? string.Create(c, $"; after VACUUM, with the free-space and visibility maps it adds, {vacuumed:N0} ({(double)vacuumed / r.UniqueBytes:F3}×)")
                    : ""));
        }
        Console.WriteLine();
        Console.WriteLine("Per-step cost against request size (one invocation, the longest loop: marginal MB of request per second of CreateAgentStep between step 100 and the last), and the whole run:");
        foreach (var r in results.Where(r => r.Invocations == 1 && r.Steps >= 200).GroupBy(r => r.Provider).Select(g => g.MaxBy(r => r.Steps)!))
        {
            var (a, b) = (MsAtStep(r.Written, 100)!.Value, MsAtStep(r.Written, r.Steps)!.Value);
            var (bytesA, bytesB) = (r.Written[99].RequestBytes, r.Written[^1].RequestBytes);
            var rate = b > a ? (bytesB - bytesA) / 1e6 / ((b - a) / 1000) : double.PositiveInfinity;
            var (cpuA, cpuB) = (CpuAtStep(r.Written, 100)!.Value, CpuAtStep(r.Written, r.Steps)!.Value);
            var cpuRate = cpuB > cpuA ? (bytesB - bytesA) / 1e6 / ((cpuB - cpuA) / 1000) : double.PositiveInfinity;
            string Rate(double x) => double.IsPositiveInfinity(x) ? "no growth" : x.ToString("F0", c) + " MB/s";
            Console.WriteLine(string.Create(c,
                $"- {Name(r.Provider)}, {r.Steps} steps: {a:F1} ms ({cpuA:F1} ms CPU) at {Mb(bytesA)} of request, {b:F1} ms ({cpuB:F1} ms CPU) at {Mb(bytesB)}: {Rate(rate)} ({Rate(cpuRate)} of CPU); step {r.Steps} / step 10 = {b / MsAtStep(r.Written, 10)!.Value:F1}× ({cpuB / CpuAtStep(r.Written, 10)!.Value:F1}× in CPU); {r.WriteSeconds:F1} s to write the loop."));
        }
        foreach (var r in results.Where(r => r.Invocations > 1))
        {
            Console.WriteLine(string.Create(c,
                $"- {Name(r.Provider)}, {r.Label}: {r.Steps} steps in {r.Invocations} invocations written in {r.WriteSeconds:F1} s; CreateAgentStep median {Median([.. r.Written.Select(s => s.Milliseconds)]):F1} ms ({Median([.. r.Written.Select(s => s.CpuMilliseconds)]):F1} ms CPU), slowest {r.Written.Max(s => s.Milliseconds):F1} ms."));
        }
        Console.WriteLine();
        Console.WriteLine("Where the bytes are (the largest workload of each provider; SQLite: dbstat pages of each table and its indexes, or, marked *, where this SQLite has no dbstat, the bytes of the table's values without indexes; PostgreSQL: pg_total_relation_size, TOAST and indexes included):");
        foreach (var r in results.GroupBy(r => r.Provider).Select(g => g.MaxBy(r => r.StoredBytes)!))
        {
            Console.WriteLine($"- {Name(r.Provider)}, {r.Label}: " + string.Join(", ", r.Tables.Where(t => t.Bytes >= 64 * 1024).Select(t => $"{t.Table} {Mb(t.Bytes)}"))
                + string.Create(CultureInfo.InvariantCulture, $"; agent_steps.request_body alone {Mb(r.RequestBodyColumnBytes)} ({100.0 * r.RequestBodyColumnBytes / r.StoredBytes:F0} % of the bytes stored)"));
        }
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString(bytes >= 10e6 ? "F0" : bytes >= 1e6 ? "F1" : "F2", CultureInfo.InvariantCulture) + " MB";

    private static string Name(PipelineProvider provider) => provider == PipelineProvider.Sqlite ? "SQLite" : "PostgreSQL";

    private static string Build() =>
#if DEBUG
        "DEBUG build (use -c Release for figures)";
#else
        "Release build";
#endif

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Progress(string what) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {what}");
}
