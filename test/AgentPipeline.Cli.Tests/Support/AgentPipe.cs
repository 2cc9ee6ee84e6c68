using System.Diagnostics;

namespace AgentPipeline.Cli.Tests.Support;

/// <summary>
/// Runs the built CLI (<c>agentpipe.dll</c>, copied beside the tests by the project reference) as a
/// real process: <c>NO_COLOR=1</c>, <c>AGENTPIPE_DB</c> unset unless given, standard input closed,
/// in the given working folder.
/// </summary>
public static class AgentPipe
{
    /// <summary>A guard against a hung process, not a timing assertion: a CLI call takes about a second.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "agentpipe.dll");

    public static Task<CliResult> RunAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, new Dictionary<string, string?>(), args);

    public static Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunDllAsync(Dll, workingDirectory, environment, args);

    /// <summary>Runs the CLI built at <paramref name="dll"/> (e.g. a copy with some assemblies left out).</summary>
    public static async Task<CliResult> RunDllAsync(string dll, string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("AGENTPIPE_DB");
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agentpipe {string.Join(' ', args)} did not exit within {Guard}.");
        }
        return new CliResult(args, process.ExitCode, await stdout, await stderr);
    }
}
