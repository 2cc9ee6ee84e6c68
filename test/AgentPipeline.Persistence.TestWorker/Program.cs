using AgentPipeline.Persistence;
using AgentPipeline.Persistence.TestWorker;

// agentpipe test worker: <target> <seed> <firstWriter> <writers> <writes>
// Runs the given writers' workloads concurrently on one PipelineDb and prints "ack <writer> <index>"
// after each write returns, flushed at once, so a parent that kills this process knows exactly
// which writes were acknowledged. Exit code 0 when every write returned.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: <target> <seed> <firstWriter> <writers> <writes>");
    return 1;
}
var target = args[0];
var seed = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var firstWriter = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var writers = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var writes = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);

var stdout = Console.Out;
var gate = new object();
await using var db = PipelineDb.Open(target);
await Workload.SetUpRunAsync(db, seed);
var workloads = Enumerable.Range(firstWriter, writers).Select(w => (Writer: w, Load: new Workload(seed, w, writes))).ToList();
foreach (var (_, load) in workloads)
{
    await load.SetUpWriterAsync(db);
}
await Task.WhenAll(workloads.Select(w => Task.Run(() => w.Load.RunAsync(db, acknowledged: i =>
{
    lock (gate)
    {
        stdout.Write($"ack {w.Writer} {i}\n");
        stdout.Flush();
    }
}))));
stdout.Write("done\n");
stdout.Flush();
return 0;
