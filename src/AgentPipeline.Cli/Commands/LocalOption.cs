using System.CommandLine;
using AgentPipeline.Cli.Output;

namespace AgentPipeline.Cli.Commands;

/// <summary>The <c>--local</c> option every command shares: times in the machine's zone, with its offset, instead of UTC.</summary>
internal static class LocalOption
{
    public static Option<bool> Instance { get; } = new("--local")
    {
        Description = "Print times in this machine's time zone with its offset (2026-11-26 10:40:08+01:00) instead of UTC "
            + "(2026-11-26 09:40:08Z). JSON output is always UTC.",
        Recursive = true,
    };

    /// <summary>Makes <see cref="Format"/> print times as the command line asks.</summary>
    public static void Apply(ParseResult parseResult) => Format.LocalTime = parseResult.GetValue(Instance);
}
