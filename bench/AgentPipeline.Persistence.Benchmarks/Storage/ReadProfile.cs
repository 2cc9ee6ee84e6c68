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
    public static async Task RunAsync(PipelineDb db, Guid stepId, double seconds)
    {
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
                using var reads = new SharedReads();
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
}
