using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the whole test run: initdb in a temp folder (as the
/// <c>postgres</c> system user when we are root, since initdb refuses root), bound to 127.0.0.1 on
/// a free port with its socket in the same folder, stopped by its own pid when the test process
/// exits. <c>AGENTPIPE_TEST_PG</c> (an Npgsql connection string) uses an existing server instead.
/// A run that cannot get a server fails; it never skips.
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<PostgresCluster> SharedCluster = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private int? _pid;

    private PostgresCluster(string adminConnectionString) => AdminConnectionString = adminConnectionString;

    public static PostgresCluster Shared => SharedCluster.Value;

    /// <summary>The postmaster's pid, when this process started the server (null for AGENTPIPE_TEST_PG).</summary>
    public int? PostmasterPid { get; private set; }

    /// <summary>Superuser connection to the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    /// <summary>Creates an empty database with a fresh name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? template = null)
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await _createLock.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            // Identifiers cannot be parameters; both names are made here, never taken from input.
            await using var command = new NpgsqlCommand(
                template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            _createLock.Release();
        }
        return ConnectionStringFor(name);
    }

    private static PostgresCluster StartShared() =>
        Environment.GetEnvironmentVariable("AGENTPIPE_TEST_PG") is { Length: > 0 } existing
            ? new PostgresCluster(existing)
            : StartNew(durable: false);

    /// <summary>
    /// Starts a new cluster. The tests' shared one runs with fsync off (its data dies with it); the
    /// benchmarks start theirs <paramref name="durable"/>, with fsync, synchronous_commit and
    /// full_page_writes on, because a commit's flush is what they measure.
    /// </summary>
    public static PostgresCluster StartNew(bool durable)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL tests and benchmarks need initdb/pg_ctl (apt-get install -y postgresql), or AGENTPIPE_TEST_PG / AGENTPIPE_BENCH_PG. " +
            "The tests fail rather than skip, so a machine without PostgreSQL cannot look green.");
        var asRoot = Environment.UserName == "root" || Run("id", "-u", asPostgres: false).Trim() == "0";
        var folder = Directory.CreateTempSubdirectory("agentpipe-pg-").FullName;
        if (asRoot)
        {
            Run("chown", $"postgres:postgres {folder}", asPostgres: false);
        }
        var data = Path.Combine(folder, "data");
        Run(Path.Combine(bin, "initdb"), $"-D {data} -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync", asRoot);
        var durability = durable ? "-c fsync=on -c synchronous_commit=on -c full_page_writes=on" : "-c fsync=off -c full_page_writes=off";
        var log = Path.Combine(folder, "server.log");
        int port;
        for (var attempt = 1; ; attempt++)
        {
            // The free port is found by binding it and letting it go; another process may take it
            // before the server binds it (then the server says so in its log): try another one.
            port = FreePort();
            File.Delete(log);
            var serverOptions = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {durability} -c max_connections=200";
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), $"-D {data} -l {log} -o \"{serverOptions}\" -w -t 60 start", asRoot);
                break;
            }
            catch (InvalidOperationException) when (attempt < 5 && File.Exists(log)
                && File.ReadAllText(log).Contains("could not bind", StringComparison.Ordinal))
            {
            }
        }
        var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var cluster = new PostgresCluster($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true")
        {
            _pid = pid,
            PostmasterPid = pid,
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        StartWatchdog(pid, folder);
        return cluster;
    }

    /// <summary>
    /// A detached watchdog that stops the server by its pid and removes the folder once this test
    /// process is gone, however it ended (the exit handler gets little time, a crash gets none).
    /// </summary>
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

    private void Stop()
    {
        if (_pid is not { } pid)
        {
            return;
        }
        _pid = null;
        NpgsqlConnection.ClearAllPools();
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

    private static string? FindBinDirectory()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        foreach (var dir in candidates.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }
        return null;
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
