using System.CommandLine;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>--json</c>, on every command that prints a table.</summary>
internal static class JsonOption
{
    public static Option<bool> Create() => new("--json")
    {
        Description = "Print JSON for scripts instead of the table (camelCase names, stored enum strings, ISO-8601 UTC times).",
    };
}
