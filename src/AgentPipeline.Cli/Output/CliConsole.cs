using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>Consoles for standard output and standard error with the CLI's rendering rules.</summary>
internal static class CliConsole
{
    /// <summary>Output stays readable in a narrow terminal and in logs, whatever width the terminal reports.</summary>
    public const int MaxWidth = 80;

    /// <summary>Below this, a <c>COLUMNS</c> value is taken for a mistake and ignored.</summary>
    private const int MinWidth = 20;

    /// <remarks>
    /// Spectre's detection turns colours off when NO_COLOR is set or the output is redirected. The
    /// width is the terminal's, or <c>COLUMNS</c> when that variable is set (as shells set it, and
    /// as a script or a pipe can), at most <see cref="MaxWidth"/>.
    /// </remarks>
    public static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var columns) && columns >= MinWidth
            ? columns
            : console.Profile.Width;
        console.Profile.Width = Math.Min(width, MaxWidth);
        return console;
    }
}
