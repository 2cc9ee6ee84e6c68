using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Naive;
using AgentPipeline.Persistence.Benchmarks.Quick;
using BenchmarkDotNet.Running;

// Two modes (docs/performance.md):
//   --quick [--provider sqlite|postgresql] [--op Name|concurrent|realistic|migrate] [--rounds N]   side-by-side table in under 2 minutes
//   --quick --op reads|reads-small [--plans] [--provider …]   reads at scale: 1,000 then 20,000 runs (reads-small: 100 then 2,000), EXPLAIN checked
//   --quick --op reads-tree [--provider …]   where GetRunTree's time goes for the 5,000-step run: each statement, elapsed and CPU
//                                              (AGENTPIPE_TREE_BODY_KB=N: its steps get N KB request and response bodies)
//   --quick --op reads-cta   SQLite: where ListCtaEvents of open CTAs spends its time at 1,000, 5,000 and 20,000 runs (rows, page-cache hits and misses)
//   --op storage [--quick] [--provider sqlite|postgresql|both] [--steps 25,50,…] [--shape openai|anthropic] [--no-run]
//                                              bytes stored against unique content for agent loops of 25–400 steps and a whole run (docs/storage.md)
//   --verify [--provider sqlite|postgresql]   checks that ours, the baseline and EF naive leave the same rows
//   --alloc Operation [--provider …]           where one call's bytes go, by type, ours next to the baseline
//   --loop Operation ours|baseline|ef Seconds [--provider …]   one side alone, for a profiler to attach to
//   anything else goes to BenchmarkDotNet (e.g. --filter '*' or --filter '*CreateToolCall*')
// Both take --pg-fsync-off (PostgreSQL on the tests' own cluster, fsync off, instead of a durable one)
// and --pg-durable-per-call (per-call comparisons wait for each commit's WAL flush too), and
// --ef-projection (EF naive reads memory records through a projection instead of EF's default
// tracked entities: the hand-tuned EF read, for reference), --min-writers N (ours opens its handle with
// GroupCommitMinWriters = N) and --writers N (quick mode's concurrent case runs N tasks instead of 16).
var rest = new List<string>(args);
if (rest.Remove("--pg-fsync-off"))
{
    Environment.SetEnvironmentVariable(BenchServer.FsyncVariable, "off");
}
if (rest.Remove("--pg-durable-per-call"))
{
    Environment.SetEnvironmentVariable(BenchServer.PerCallVariable, "durable");
}
if (rest.Remove("--ef-projection"))
{
    Environment.SetEnvironmentVariable(EfNaiveStore.ReadVariable, "projection");
}
foreach (var (option, variable) in new[] { ("--min-writers", BenchDatabase.MinWritersVariable), ("--writers", AgentPipeline.Persistence.Benchmarks.Workloads.ConcurrentWriteWorkload.WritersVariable) })
{
    if (rest.IndexOf(option) is var at and >= 0)
    {
        if (at + 1 >= rest.Count || !int.TryParse(rest[at + 1], out var n) || n < 1)
        {
            Console.Error.WriteLine($"{option} needs a whole number of at least 1.");
            return 1;
        }
        Environment.SetEnvironmentVariable(variable, rest[at + 1]);
        rest.RemoveRange(at, 2);
    }
}
PipelineProvider[] providers = rest.Contains("sqlite") ? [PipelineProvider.Sqlite]
    : rest.Contains("postgresql") ? [PipelineProvider.PostgreSql]
    : [PipelineProvider.Sqlite, PipelineProvider.PostgreSql];
if (rest.Remove("--verify"))
{
    return await VerifyRunner.RunAsync(providers);
}
if (rest.IndexOf("--alloc") is var alloc and >= 0 && alloc + 1 < rest.Count)
{
    return await AllocationReport.RunAsync(rest[alloc + 1], providers);
}
if (rest.IndexOf("--loop") is var loop and >= 0 && loop + 3 < rest.Count)
{
    return await ProfileLoop.RunAsync(rest.GetRange(loop + 1, 3), providers[0]);
}
if (rest.IndexOf("--op") is var passOp and >= 0 && passOp + 1 < rest.Count && rest[passOp + 1].Equals("pass", StringComparison.OrdinalIgnoreCase))
{
    rest[passOp + 1] = "storage";
    return AgentPipeline.Persistence.Benchmarks.Storage.PassMeasurement.Run(AgentPipeline.Persistence.Benchmarks.Storage.StorageOptions.Parse(rest));
}
if (rest.IndexOf("--op") is var op and >= 0 && op + 1 < rest.Count && rest[op + 1].Equals("storage", StringComparison.OrdinalIgnoreCase))
{
    try
    {
        return await AgentPipeline.Persistence.Benchmarks.Storage.StorageMeasurement.RunAsync(AgentPipeline.Persistence.Benchmarks.Storage.StorageOptions.Parse(rest));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}
if (rest.Remove("--quick"))
{
    try
    {
        return await QuickRunner.RunAsync(QuickOptions.Parse(rest));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}
string[] informational = ["--list", "--help", "-h", "--info", "--version", "-?"];
if (!rest.Any(a => informational.Contains(a, StringComparer.OrdinalIgnoreCase)))
{
    // One server for the whole run, inherited by every benchmark process BenchmarkDotNet starts.
    BenchServer.ExportToChildProcesses();
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest]);
return 0;
