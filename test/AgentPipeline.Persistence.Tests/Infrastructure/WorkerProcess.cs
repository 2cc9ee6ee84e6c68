using System.Diagnostics;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>The test worker (test/AgentPipeline.Persistence.TestWorker) as a real second process.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(string target, int seed, int firstWriter, int writers, int writes)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AgentPipeline.Persistence.TestWorker.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, target, seed.ToString(System.Globalization.CultureInfo.InvariantCulture), firstWriter.ToString(System.Globalization.CultureInfo.InvariantCulture), writers.ToString(System.Globalization.CultureInfo.InvariantCulture), writes.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return new WorkerProcess(process);
    }

    /// <summary>The next line the worker printed, or null at its end.</summary>
    public Task<string?> ReadLineAsync() => _process.StandardOutput.ReadLineAsync();

    /// <summary>SIGKILL: no chance to finish a write, flush or clean up.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync()
    {
        var stdout = _process.StandardOutput.ReadToEndAsync();
        var stderr = _process.StandardError.ReadToEndAsync();
        await _process.WaitForExitAsync();
        return (_process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _process.Dispose();
}
