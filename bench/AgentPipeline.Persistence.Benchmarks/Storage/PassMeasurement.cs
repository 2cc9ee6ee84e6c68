using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>
/// <c>--op pass</c>: the CPU a step's <c>request_body</c> costs before any I/O, in process, on the storage
/// benchmark's loop: the column's checks, redaction and cutting into the shared form, as
/// <c>CreateAgentStep</c> does them (the ordinary path, which works on the whole request, and the path that reuses
/// the previous step's work), each step's pieces then taken as committed. No database is written. Reports ms per
/// step and MB of request per second at steps 10, 100 and the last (the fastest of the nine steps around each), and
/// the last / step 10.
/// </summary>
internal static class PassMeasurement
{
    public static int Run(StorageOptions options)
    {
        var steps = options.Steps.Max();
        var path = Path.Combine(Path.GetTempPath(), $"agentpipe-pass-{Guid.NewGuid():N}.db");
        var db = PipelineDb.Open(path);
        try
        {
            var redactor = new DefaultSecretRedactor();
            // A 60-step loop of another seed first, not reported: the code is then compiled to tier 1.
            Measure(db, redactor, new AgentLoop(AgentKit.For("coder", options.Seed + 1), options.NewShape(), "Warm up.", 60, options.Seed + 1));
            var rows = Measure(db, redactor, new AgentLoop(AgentKit.For("coder", options.Seed), options.NewShape(), "Add CSV export to the orders page.", steps, options.Seed));
            var contents = db.Writes.Contents;
            Console.WriteLine($"The pass over a step's request_body, in process, no database (--op pass, {options.Shape}, seed {options.Seed}, {steps} steps; load average {Load()}):");
            Console.WriteLine();
            Console.WriteLine("| step | request | ordinary ms | ordinary MB/s | reusing ms | reusing MB/s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            var at = new[] { 10, 100, steps }.Where(s => s <= steps).Distinct().ToList();
            var medians = new List<(double Ordinary, double Reusing)>();
            foreach (var s in at)
            {
                // The fastest of the nine steps around: on a loaded machine a step's elapsed time is mostly time spent
                // waiting for a core, which the fastest of several shows least.
                var window = rows.Where(r => Math.Abs(r.Step - Math.Min(s, steps - 4)) <= 4).ToList();
                var mb = window.Average(r => r.Mb);
                var o = window.Min(r => r.Ordinary);
                var u = window.Min(r => r.Reusing);
                medians.Add((o, u));
                Console.WriteLine($"| {s} | {mb:F2} MB | {o:F2} | {mb / o * 1000:F0} | {u:F2} | {mb / u * 1000:F0} |");
            }
            Console.WriteLine();
            Console.WriteLine($"Step {steps} / step 10: ordinary {medians[^1].Ordinary / medians[0].Ordinary:F1}×, reusing {medians[^1].Reusing / medians[0].Reusing:F1}×; " +
                $"reused units {contents.ReusedUnits:N0}, values prepared {contents.PreparedValues:N0}.");
            return 0;
        }
        finally
        {
            db.DisposeAsync().AsTask().GetAwaiter().GetResult();
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }
    }

    private static List<(int Step, double Mb, double Ordinary, double Reusing)> Measure(PipelineDb db, DefaultSecretRedactor redactor, AgentLoop loop)
    {
        var ordinaryParent = Guid.CreateVersion7();
        var reusingParent = Guid.CreateVersion7();
        var shared = AgentSteps.Insert.Shared!;
        var contents = db.Writes.Contents;
        var rows = new List<(int Step, double Mb, double Ordinary, double Reusing)>();
        foreach (var step in loop.Steps())
        {
            using var document = JsonDocument.Parse(step.RequestBody);
            var ordinary = Time(() =>
            {
                var values = AgentSteps.Create.Values(new NewAgentStep { InvocationId = ordinaryParent, StepNumber = step.StepNumber, RequestBody = document.RootElement }, redactor, 1);
                contents.Share(shared, values, null, out var content);
                contents.Committed(content);
            });
            var reusing = Time(() =>
            {
                var data = new NewAgentStep { InvocationId = reusingParent, StepNumber = step.StepNumber, RequestBody = document.RootElement };
                var values = AgentSteps.Create.Values(data, redactor, 1, "request_body",
                    (json, field, context, r) => contents.TryPrepare(json, field, context, r, reusingParent, shared));
                contents.Share(shared, values, null, out var content);
                contents.Committed(content);
            });
            rows.Add((step.StepNumber, Encoding.UTF8.GetByteCount(step.RequestBody) / 1e6, ordinary, reusing));
        }
        return rows;
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
