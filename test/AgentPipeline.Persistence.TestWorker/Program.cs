using AgentPipeline.Persistence;
using AgentPipeline.Persistence.TestWorker;

// agentpipe test worker: <target> <seed> <firstWriter> <writers> <writes>
// Runs the given writers' workloads concurrently on one PipelineDb and prints "ack <writer> <index>"
// after each write returns, flushed at once, so a parent that kills this process knows exactly
// which writes were acknowledged. Exit code 0 when every write returned.
// agentpipe test worker: migrate <target>
// Opens the database, prints "ready", waits for a line on standard input (so several workers
// start migrating at the same instant), runs MigrateAsync and prints "migrated".
if (args is ["migrate", var migrateTarget])
{
    await using var migrating = PipelineDb.Open(migrateTarget);
    _ = migrating.GetKnownMigrations();
    Console.Out.Write("ready\n");
    Console.Out.Flush();
    _ = await Console.In.ReadLineAsync();
    await migrating.MigrateAsync();
    Console.Out.Write("migrated\n");
    Console.Out.Flush();
    return 0;
}
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
