using AgentPipeline.Cli.Commands;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>Turns the failures a user can act on into one line on standard error and an exit code.</summary>
internal static class ErrorReporter
{
    /// <summary>The failures reported as one line; anything else is a bug and keeps its stack trace.</summary>
    public static bool IsExpected(Exception e) => e is PipelinePersistenceException or ArgumentException or OperationCanceledException;

    public static int Report(IAnsiConsole console, Exception e)
    {
        var code = ExitCode(e);
        var message = e is OperationCanceledException ? "cancelled." : e.Message;
        console.Markup("[red]error:[/] ");
        // Straight to the writer: Spectre would wrap a long message at the console width, and
        // scripts grep for the error on one line.
        console.Profile.Out.Writer.WriteLine(OneLine(message));
        return code;
    }

    public static int ExitCode(Exception e) => e switch
    {
        OperationCanceledException => ExitCodes.Cancelled,
        RecordNotFoundException => ExitCodes.NotFound,
        InvalidStateTransitionException or CtaAlreadyResolvedException or IdempotencyConflictException or SandboxInUseException => ExitCodes.Conflict,
        PipelineDatabaseException { IsTransient: true } => ExitCodes.DatabaseUnreachable,
        _ => ExitCodes.Failure,
    };

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
