using System.CommandLine;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary>What a command's body gets: the database and the two consoles.</summary>
internal sealed record CliContext(PipelineDb Db, IAnsiConsole Out, IAnsiConsole Error);

/// <summary>
/// Runs a command body against the <c>--db</c> target: opens it (an existing pipeline database
/// with a current schema, unless <paramref name="create"/>), translates provider errors from
/// and turns expected failures into one line and an exit code.
/// </summary>
internal static class CliAction
{
    /// <param name="command">The command whose action this becomes.</param>
    /// <param name="body">What the command does with the open database.</param>
    /// <param name="create">
    /// Only <c>migrate</c>: open the target as it is, creating a SQLite file when there is none.
    /// Every other command needs an existing database whose schema is up to date and never creates or migrates one.
    /// </param>
    public static void Set(Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, bool create = false) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, body, create, cancellationToken));

    private static async Task<int> RunAsync(
        ParseResult parseResult, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, bool create, CancellationToken cancellationToken)
    {
        var stdout = CliConsole.Create(Console.Out);
        var stderr = CliConsole.Create(Console.Error);
        var target = DbOption.Target(parseResult);
        LocalOption.Apply(parseResult);
        try
        {
            await using var db = create
                ? await DatabaseTarget.OpenUnmigratedAsync(target, cancellationToken)
                : await DatabaseTarget.OpenExistingAsync(target, cancellationToken);
            return await body(parseResult, new CliContext(db, stdout, stderr), cancellationToken);
        }
        catch (Exception e) when (ErrorReporter.IsExpected(e))
        {
            return ErrorReporter.Report(stderr, e, target);
        }
    }
}
