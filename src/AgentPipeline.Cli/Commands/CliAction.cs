using System.CommandLine;
using System.Data.Common;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary>What a command's body gets: the migrated database and the two consoles.</summary>
internal sealed record CliContext(PipelineDb Db, IAnsiConsole Out, IAnsiConsole Error);

/// <summary>
/// Runs a command body against the <c>--db</c> target: opens and migrates it, translates provider
/// errors from reads, and turns expected failures into one line and an exit code.
/// </summary>
internal static class CliAction
{
    public static void Set(Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, bool migrate = true) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, body, migrate, cancellationToken));

    private static async Task<int> RunAsync(
        ParseResult parseResult, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, bool migrate, CancellationToken cancellationToken)
    {
        var stdout = CliConsole.Create(Console.Out);
        var stderr = CliConsole.Create(Console.Error);
        try
        {
            var target = parseResult.GetRequiredValue(DbOption.Instance);
            await using var db = migrate
                ? await DatabaseTarget.OpenAsync(target, cancellationToken)
                : await DatabaseTarget.OpenUnmigratedAsync(target, cancellationToken);
            try
            {
                return await body(parseResult, new CliContext(db, stdout, stderr), cancellationToken);
            }
            catch (Exception e) when (AgentPipeline.Persistence.Internal.Dialect.ProviderError(e) is { } provider)
            {
                // Reads go through EF Core, which lets provider errors through untranslated (or, on PostgreSQL, wraps a transient one).
                throw db.Dialect.Translate(provider);
            }
        }
        catch (Exception e) when (ErrorReporter.IsExpected(e))
        {
            return ErrorReporter.Report(stderr, e);
        }
    }
}
