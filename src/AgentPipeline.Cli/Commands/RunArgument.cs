using System.CommandLine;

namespace AgentPipeline.Cli.Commands;

/// <summary>The <c>&lt;run&gt;</c> argument: a full run id or a unique prefix or suffix of it.</summary>
internal static class RunArgument
{
    public static Argument<string> Create() => new("run")
    {
        Description = "The run: its full id, or at least 4 hex digits from its start or its end (the short id shown in tables).",
    };
}
