using System.Diagnostics;
using System.Globalization;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Content;
using AgentPipeline.Persistence.Internal.Reading;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>
/// <c>AGENTPIPE_BENCH_READ_PROFILE=seconds</c> with <c>--op storage</c>: after the timed read of the
/// largest step, where its time goes, to standard error: the whole <c>GetAgentStep</c>, then its stages
/// (the row, the pieces, putting the values together), each the median of the reads made in that many
/// seconds (after as many seconds of warm-up, for the tier-1 JIT). A development aid, not part of the report.
/// </summary>
internal static class ReadProfile
{
    public static async Task RunAsync(PipelineDb db, Guid stepId, double seconds, string target)
    {
        if (db.Dialect.Kind == PipelineProvider.PostgreSql)
        {
            await PostgreSqlAsync(db, stepId, target);
        }
        var row = new Sql($"SELECT {RowReaders.Steps.Whole.Projection.List("t")} FROM {{s}}.agent_steps t WHERE t.id = @id", [new("id", Col.Guid)]);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < seconds)
        {
            await PipelinePersistence.GetAgentStepAsync(db, stepId);
        }
        var whole = new List<double>();
        var rowMs = new List<double>();
        var loadMs = new List<double>();
        var resolveMs = new List<double>();
        var requestMs = new List<double>();
        var parseMs = new List<double>();
        var docMs = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var w = Stopwatch.StartNew();
            GC.KeepAlive(await PipelinePersistence.GetAgentStepAsync(db, stepId));
            whole.Add(w.Elapsed.TotalMilliseconds);
            await db.RunAsync(write: false, async (session, ct) =>
            {
                var s = Stopwatch.StartNew();
                var step = (await session.ReadAsync(row, [stepId], RowReaders.Steps.Whole.Read, ct))[0];
                rowMs.Add(s.Elapsed.TotalMilliseconds);
                s.Restart();
                var reads = new SharedReads();
                reads.Need(step.Content);
                reads.Need(step.RequestBody);
                reads.Need(step.ResponseBody);
                await reads.LoadAsync(session, step.RunId, wholeRun: false, ct);
                loadMs.Add(s.Elapsed.TotalMilliseconds);
                s.Restart();
                var request = reads.Json(step.RequestBody);
                requestMs.Add(s.Elapsed.TotalMilliseconds);
                var bytes = System.Text.Encoding.UTF8.GetBytes(request!.Value.GetRawText());
                var p = Stopwatch.StartNew();
                GC.KeepAlive(DbJson.Parse(bytes));
                parseMs.Add(p.Elapsed.TotalMilliseconds);
                p.Restart();
                var doc = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(), new System.Text.Json.JsonDocumentOptions { MaxDepth = 4096 });
                GC.KeepAlive(doc.RootElement);
                docMs.Add(p.Elapsed.TotalMilliseconds);
                s.Restart();
                GC.KeepAlive(reads.Json(step.Content));
                GC.KeepAlive(reads.Json(step.ResponseBody));
                resolveMs.Add(s.Elapsed.TotalMilliseconds);
                return 0;
            }, CancellationToken.None);
        }
        static string M(List<double> ms) => ms.Count == 0 ? "–" : ms.Order().ElementAt(ms.Count / 2).ToString("F2", CultureInfo.InvariantCulture);
        Console.Error.WriteLine($"read profile ({whole.Count} reads): GetAgentStep {M(whole)} ms; row {M(rowMs)}, pieces {M(loadMs)}, put together request {M(requestMs)}, the others {M(resolveMs)} ms; DbJson.Parse of the request's bytes {M(parseMs)}, JsonDocument.Parse over them {M(docMs)} ms");
    }

    private static async Task PostgreSqlAsync(PipelineDb db, Guid stepId, string target)
    {
        var step = await PipelinePersistence.GetAgentStepAsync(db, stepId);
        await using var connection = new Npgsql.NpgsqlConnection(target);
        await connection.OpenAsync();
        string form;
        await using (var c = new Npgsql.NpgsqlCommand("SELECT request_body::text FROM agent.agent_steps WHERE id = @id", connection))
        {
            c.Parameters.AddWithValue("id", stepId);
            form = (string)(await c.ExecuteScalarAsync())!;
        }
        static List<string> Parts(string json) => [.. System.Text.Json.JsonDocument.Parse(json).RootElement is var r && r.ValueKind == System.Text.Json.JsonValueKind.Object
            ? r.GetProperty("parts").EnumerateArray().Select(p => p.GetString()!) : r.EnumerateArray().Select(p => p.GetString()!)];
        var top = Parts(form);
        var blocks = top.Where(p => p[0] == '@').Select(p => p[1..]).Distinct().ToList();
        const string byHash = "SELECT hash, body FROM agent.run_contents WHERE run_id = @run_id AND hash IN (SELECT json_array_elements_text(CAST(@hashes AS json)))";
        async Task<List<(string, byte[])>> Fetch(string sql, List<string> hashes, bool explain)
        {
            await using var c = new Npgsql.NpgsqlCommand(explain ? "EXPLAIN (ANALYZE, BUFFERS) " + sql : sql, connection);
            c.Parameters.AddWithValue("run_id", step.RunId);
            c.Parameters.AddWithValue("hashes", System.Text.Json.JsonSerializer.Serialize(hashes));
            var rows = new List<(string, byte[])>();
            await using var r = await c.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                if (explain)
                {
                    Console.Error.WriteLine("  " + r.GetString(0));
                }
                else
                {
                    rows.Add((r.GetString(0), r.GetFieldValue<byte[]>(1)));
                }
            }
            return rows;
        }
        for (var round = 0; round < 9; round++)
        {
            var w = Stopwatch.StartNew();
            var blockRows = await Fetch(byHash, blocks, false);
            var t1 = w.Elapsed.TotalMilliseconds;
            var pieces = top.Concat(blockRows.SelectMany(b => Parts(System.Text.Encoding.UTF8.GetString(b.Item2)))).Where(p => p[0] == '#').Select(p => p[1..]).Distinct().ToList();
            w.Restart();
            var pieceRows = await Fetch(byHash, pieces, false);
            var t2 = w.Elapsed.TotalMilliseconds;
            w.Restart();
            await using (var sv = new Npgsql.NpgsqlCommand("SELECT agent.shared_value(run_id, request_body::text) FROM agent.agent_steps WHERE id = @id", connection))
            {
                sv.Parameters.AddWithValue("id", stepId);
                await using var r = await sv.ExecuteReaderAsync();
                await r.ReadAsync();
                GC.KeepAlive(r.GetFieldValue<byte[]>(0));
            }
            var t3 = w.Elapsed.TotalMilliseconds;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pg raw: shared_value {t3:F2} ms; {blocks.Count} blocks {t1:F2} ms, {pieces.Count} pieces ({pieceRows.Sum(p => p.Item2.Length) / 1e6:F2} MB) {t2:F2} ms"));
            if (round == 8)
            {
                await Fetch(byHash, pieces, true);
                w.Restart();
                await using var c = new Npgsql.NpgsqlCommand("SELECT sum(length(body)) FROM agent.run_contents WHERE run_id = @run_id", connection);
                c.Parameters.AddWithValue("run_id", step.RunId);
                await c.ExecuteScalarAsync();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pg: detoast every body of the run, server only: {w.Elapsed.TotalMilliseconds:F2} ms"));
                w.Restart();
                await using var d = new Npgsql.NpgsqlCommand("SELECT length(request_body::text) FROM agent.agent_steps WHERE run_id = @run_id ORDER BY step_number DESC LIMIT 1", connection);
                d.Parameters.AddWithValue("run_id", step.RunId);
                await d.ExecuteScalarAsync();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pg: detoast one request_body (a form): {w.Elapsed.TotalMilliseconds:F2} ms"));
            }
        }
    }
}
