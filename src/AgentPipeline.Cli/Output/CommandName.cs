namespace AgentPipeline.Cli.Output;

/// <summary>
/// How the user runs this tool, for the commands the output suggests: <c>agentpipe</c>, or, when
/// it was started by <c>dotnet run</c> from the repository (the README's first command), the
/// <c>dotnet run --project … --</c> that works where the user is, since no <c>agentpipe</c> is on
/// their PATH then.
/// </summary>
internal static class CommandName
{
    private const string ProjectFile = "AgentPipeline.Cli.csproj";

    private static readonly Lazy<string> Value = new(Detect);

    public static string Text => Value.Value;

    private static string Detect()
    {
        // `dotnet run` starts the app host in the project's bin/<configuration>/<framework> folder;
        // `dotnet agentpipe.dll` starts dotnet, and an installed tool is on the PATH.
        var process = Environment.ProcessPath;
        if (process is null || Path.GetFileNameWithoutExtension(process) != "agentpipe" || OnPath(process))
        {
            return "agentpipe";
        }
        var folder = Path.GetDirectoryName(process);
        for (var up = 0; up < 4 && folder is not null; up++, folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, ProjectFile)))
            {
                var relative = Path.GetRelativePath(Environment.CurrentDirectory, folder);
                var project = relative.StartsWith("..", StringComparison.Ordinal) ? folder : relative;
                return $"dotnet run --project {Quote(project)} --";
            }
        }
        return "agentpipe";
    }

    private static bool OnPath(string process) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => string.Equals(Path.GetFullPath(Path.Combine(dir, Path.GetFileName(process))), process, StringComparison.Ordinal));

    /// <summary>A path as a POSIX shell reads it back: bare when it is plain, else single-quoted.</summary>
    public static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-')
            ? text
            : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
