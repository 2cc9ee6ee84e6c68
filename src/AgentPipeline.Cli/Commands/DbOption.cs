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
    /// command reads the same value. It has no default value of its own: help would print it, and
    /// <c>$AGENTPIPE_DB</c> may hold a password. <see cref="Target"/> falls back instead.
    /// </summary>
    public static Option<string> Instance { get; } = new("--db")
    {
        Description = $"A SQLite file path, or a PostgreSQL connection string (Host=…) or postgresql:// URI. "
            + $"Default: ${EnvironmentVariable}, else ./{DefaultTarget}.",
        HelpName = "path|connection",
        Recursive = true,
    };

    /// <summary>Whether the user named the target with <c>--db</c> on the command line.</summary>
    public static bool Given(ParseResult parseResult) => parseResult.GetValue(Instance) is { Length: > 0 };

    /// <summary>What <c>--db</c> says, else <c>$AGENTPIPE_DB</c>, else <see cref="DefaultTarget"/>.</summary>
    public static string Target(ParseResult parseResult) =>
        parseResult.GetValue(Instance) is { Length: > 0 } given ? given : FromEnvironmentOrDefault();

    /// <summary>The target when no command line was parsed (an error before parsing completed).</summary>
    public static string FromEnvironmentOrDefault() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultTarget;
}
