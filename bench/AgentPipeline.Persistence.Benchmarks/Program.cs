using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using BenchmarkDotNet.Running;

// BenchmarkDotNet (e.g. --filter '*' or --filter '*CreateToolCall*'). It takes --pg-fsync-off (PostgreSQL on the tests' own cluster, fsync off, instead of a durable one)
// and --pg-durable-per-call (per-call comparisons wait for each commit's WAL flush too).
var rest = new List<string>(args);
if (rest.Remove("--pg-fsync-off"))
{
    Environment.SetEnvironmentVariable(BenchServer.FsyncVariable, "off");
}
if (rest.Remove("--pg-durable-per-call"))
{
    Environment.SetEnvironmentVariable(BenchServer.PerCallVariable, "durable");
}
string[] informational = ["--list", "--help", "-h", "--info", "--version", "-?"];
if (!rest.Any(a => informational.Contains(a, StringComparer.OrdinalIgnoreCase)))
{
    // One server for the whole run, inherited by every benchmark process BenchmarkDotNet starts.
    BenchServer.ExportToChildProcesses();
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest]);
return 0;
