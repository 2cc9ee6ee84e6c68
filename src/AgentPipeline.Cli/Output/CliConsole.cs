using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>Consoles for standard output and standard error with the CLI's rendering rules.</summary>
internal static class CliConsole
{
    /// <summary>Output stays readable in a narrow terminal and in logs, whatever width the terminal reports.</summary>
    public const int MaxWidth = 80;

    /// <remarks>Spectre's detection turns colours off when NO_COLOR is set or the output is redirected.</remarks>
    public static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = Math.Min(console.Profile.Width, MaxWidth);
        return console;
    }
}
