using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AgentPipeline.Persistence.Benchmarks.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster started the way the tests start theirs (<c>PostgresCluster</c>:
/// initdb as the <c>postgres</c> user via <c>runuser</c> when root, 127.0.0.1 on a free port, socket in
/// the temp folder, a detached watchdog that stops it by pid when this process is gone), except that
/// it keeps PostgreSQL's durability on: <c>fsync</c>, <c>synchronous_commit</c> and
/// <c>full_page_writes</c>. One-row-per-commit writes are bound by the WAL flush, which is exactly
/// what group commit is meant to amortize, so a benchmark without it would measure the wrong thing.
/// </summary>
internal static class DurableCluster
{
    /// <summary>The postmaster's pid once started in this process (for measuring the server's CPU time).</summary>
    public static int? PostmasterPid { get; private set; }

    /// <summary>Starts the cluster and returns a superuser connection string to its <c>postgres</c> database.</summary>
    public static string Start()
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "The PostgreSQL benchmarks need initdb/pg_ctl (apt-get install -y postgresql) or AGENTPIPE_BENCH_PG.");
        var asRoot = Environment.UserName == "root" || Run("id", "-u", asPostgres: false).Trim() == "0";
        var folder = Directory.CreateTempSubdirectory("agentpipe-bench-pg-").FullName;
        if (asRoot)
        {
            Run("chown", $"postgres:postgres {folder}", asPostgres: false);
        }
        var data = Path.Combine(folder, "data");
        // --no-sync only skips initdb's own final flush of the template files; the server below flushes every commit.
        Run(Path.Combine(bin, "initdb"), $"-D {data} -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync", asRoot);
        var port = FreePort();
        var serverOptions = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200 " +
                            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on";
        Run(Path.Combine(bin, "pg_ctl"), $"-D {data} -l {Path.Combine(folder, "server.log")} -o \"{serverOptions}\" -w -t 60 start", asRoot);
        var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
        PostmasterPid = pid;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(pid);
        StartWatchdog(pid, folder);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true";
    }

    private static void Stop(int pid)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            using var postmaster = Process.GetProcessById(pid);
            Run("kill", $"-INT {pid}", asPostgres: false); // fast shutdown
            postmaster.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (ArgumentException)
        {
            // already gone
        }
    }

    /// <summary>Stops the server and removes its folder once this process is gone, however it ended.</summary>
    private static void StartWatchdog(int postmasterPid, string folder)
    {
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done; " +
                     $"kill -INT {postmasterPid} 2>/dev/null; while kill -0 {postmasterPid} 2>/dev/null; do sleep 0.2; done; rm -rf '{folder}'";
        var info = new ProcessStartInfo("setsid") { UseShellExecute = false };
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var _ = Process.Start(info);
    }

    private static string? FindBinDirectory()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Run(string file, string arguments, bool asPostgres)
    {
        var info = asPostgres
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.WorkingDirectory = "/tmp";
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {arguments} did not finish in 120 s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
        return stdout.Result;
    }
}
