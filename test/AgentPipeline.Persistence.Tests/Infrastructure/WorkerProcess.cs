using System.Diagnostics;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>The test worker (test/AgentPipeline.Persistence.TestWorker) as a real second process.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private WorkerProcess(Process process)
    {
        _process = process;
        // Drained from the start, so a worker that writes much there can never block on a full pipe.
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static WorkerProcess Start(string target, int seed, int firstWriter, int writers, int writes)
    {
        var worker = Launch([target, .. new[] { seed, firstWriter, writers, writes }.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        worker._process.StandardInput.Close();
        return worker;
    }

    /// <summary>A worker in migrate mode: it prints "ready", then migrates <paramref name="target"/> when <see cref="Go"/> is called.</summary>
    public static WorkerProcess StartMigrate(string target) => Launch(["migrate", target]);

    private static WorkerProcess Launch(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgentPipeline.Persistence.TestWorker.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return new WorkerProcess(Process.Start(info)!);
    }

    /// <summary>Releases a migrate-mode worker waiting after "ready".</summary>
    public void Go()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Close();
    }

    /// <summary>The next line the worker printed, or null at its end; a worker silent for two minutes fails the test.</summary>
    public async Task<string?> ReadLineAsync()
    {
        try
        {
            return await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException("the worker printed nothing for two minutes");
        }
    }

    /// <summary>SIGKILL: no chance to finish a write, flush or clean up.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync()
    {
        var stdout = _process.StandardOutput.ReadToEndAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (_process.ExitCode, await stdout, await _stderr);
    }

    /// <summary>A worker still running when its test ends (a failed assertion) is killed, not left writing.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
        _process.Dispose();
    }
}
