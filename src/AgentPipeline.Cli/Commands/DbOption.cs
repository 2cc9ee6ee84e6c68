using System.CommandLine;

namespace AgentPipeline.Cli.Commands;

/// <summary>The <c>--db</c> option every command shares.</summary>
internal static class DbOption
{
    /// <summary>The variable that replaces the default target, so a shell can point every command at one database.</summary>
    public const string EnvironmentVariable = "AGENTPIPE_DB";

    public const string DefaultTarget = "pipeline.db";

    /// <summary>
    /// Recursive so that it is given once, before or after the subcommand name, and every
    /// command reads the same value.
    /// </summary>
    public static Option<string> Instance { get; } = new("--db")
    {
        Description = $"A SQLite file path, or a PostgreSQL connection string (Host=…) or postgresql:// URI. "
            + $"Default: ${EnvironmentVariable}, else {DefaultTarget} in the current folder.",
        HelpName = "path|connection",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultTarget,
    };
}
