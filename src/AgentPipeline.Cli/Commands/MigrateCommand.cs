using System.CommandLine;
using AgentPipeline.Cli.Output;
using Spectre.Console;

namespace AgentPipeline.Cli.Commands;

/// <summary><c>agentpipe migrate</c>: applies the schema migrations explicitly and prints the schema version.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command(
            "migrate",
            "Create the pipeline schema or bring it up to date, and print its version. "
            + "Only this command and demo create or migrate a database; the others need one that is up to date.");
        CliAction.Set(command, async (_, cli, cancellationToken) =>
        {
            var before = await cli.Db.GetAppliedMigrationsAsync(cancellationToken);
            await cli.Db.MigrateAsync(cancellationToken);
            var after = await cli.Db.GetAppliedMigrationsAsync(cancellationToken);
            var applied = after.Except(before, StringComparer.Ordinal).ToList();
            cli.Out.MarkupLine($"[grey]Database:[/] {Markup.Escape(DatabaseLabel.Describe(cli.Db))}");
            foreach (var migration in applied)
            {
                cli.Out.MarkupLine($"Applied {Markup.Escape(migration)}");
            }
            if (applied.Count == 0)
            {
                cli.Out.MarkupLine("Already up to date.");
            }
            var version = after.Count > 0 ? after[^1] : "(none)";
            cli.Out.MarkupLine($"Schema version {after.Count}: {Markup.Escape(version)}");
            return ExitCodes.Success;
        }, create: true);
        return command;
    }
}
