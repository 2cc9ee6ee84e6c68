using AgentPipeline.Cli.Commands;
using AgentPipeline.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;
using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>Turns the failures a user can act on into one line on standard error and an exit code.</summary>
internal static class ErrorReporter
{
    /// <summary>SQLITE_CANTOPEN: the file's folder does not exist or cannot be entered.</summary>
    private const int SqliteCantOpen = 14;

    /// <summary>The failures reported as one line; anything else is a bug and keeps its stack trace.</summary>
    public static bool IsExpected(Exception e) =>
        e is CliException or PipelinePersistenceException or ArgumentException or OperationCanceledException;

    /// <param name="console">Standard error.</param>
    /// <param name="e">The failure.</param>
    /// <param name="target">The database target, whose password is hidden wherever the message might quote it.</param>
    public static int Report(IAnsiConsole console, Exception e, string? target) => Report(console, e, [target]);

    /// <param name="console">Standard error.</param>
    /// <param name="e">The failure.</param>
    /// <param name="sources">Where passwords the message might quote come from: the target, the command line.</param>
    public static int Report(IAnsiConsole console, Exception e, IEnumerable<string?> sources)
    {
        var code = ExitCode(e);
        var message = e switch
        {
            OperationCanceledException => "cancelled.",
            PipelineDatabaseException when code == ExitCodes.DatabaseUnreachable => "database unreachable or refused: " + e.Message,
            _ => e.Message,
        };
        console.Markup("[red]error:[/] ");
        // Straight to the writer: Spectre would wrap a long message at the console width, and
        // scripts grep for the error on one line.
        console.Profile.Out.Writer.WriteLine(Secrets.Hide(OneLine(message), sources));
        return code;
    }

    /// <summary>The documented exit code of a failure (docs/cli.md, <c>--help</c>).</summary>
    public static int ExitCode(Exception e) => e switch
    {
        CliException cli => cli.ExitCode,
        OperationCanceledException => ExitCodes.Cancelled,
        RecordNotFoundException => ExitCodes.NotFound,
        InvalidStateTransitionException or CtaAlreadyResolvedException or IdempotencyConflictException or SandboxInUseException => ExitCodes.Conflict,
        PipelineDatabaseException database when IsUnreachable(database) => ExitCodes.DatabaseUnreachable,
        _ => ExitCodes.Failure,
    };

    /// <summary>
    /// Transient failures (server down, connection lost, file busy), a SQLite file that cannot be
    /// opened at all, a server that refuses the login (SQLSTATE class 28: wrong password, no such
    /// role, no pg_hba entry) and a peer that does not speak PostgreSQL's protocol: the database is
    /// not there to talk to, as opposed to being the wrong thing or refusing a change.
    /// </summary>
    private static bool IsUnreachable(PipelineDatabaseException e) =>
        e.IsTransient
        || e.InnerException is SqliteException { SqliteErrorCode: var code } && (code & 0xFF) == SqliteCantOpen
        || e.InnerException is PostgresException pg && pg.SqlState.StartsWith("28", StringComparison.Ordinal)
        || e.InnerException is NpgsqlException and not PostgresException;

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
