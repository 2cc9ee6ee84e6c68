using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using AgentPipeline.Cli.Output;

namespace AgentPipeline.Cli.Commands;

/// <summary>The <c>agentpipe</c> root command: its subcommands, its help, and how usage errors are reported.</summary>
internal static class AgentPipeCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("agentpipe: run, inspect and answer an agent pipeline's runs, on SQLite or PostgreSQL.");
        root.Options.Add(DbOption.Instance);
        root.Options.Add(LocalOption.Instance);
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ShowCommand.Create());
        root.Subcommands.Add(MemoriesCommand.Create());
        root.Subcommands.Add(CtaCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                help.MaxWidth = CliConsole.MaxWidth;
                helpOption.Action = new HelpWithExitCodes(help);
            }
        }
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args)
    {
        var parseResult = Create().Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            // One line on standard error, like every other failure, instead of the whole help text:
            // the first problem, preferring a word that was not understood (an unknown command
            // also lacks the command it meant, which would be a second, misleading line).
            var stderr = CliConsole.Create(Console.Error);
            var error = parseResult.Errors.FirstOrDefault(e => parseResult.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal)))
                ?? parseResult.Errors[0];
            ErrorReporter.Report(stderr, new ArgumentException(error.Message), [.. args, DbOption.FromEnvironmentOrDefault()]);
            await Console.Error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parseResult))} --help' for usage.");
            return ExitCodes.Failure;
        }
        return await parseResult.InvokeAsync();
    }

    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? CommandName.Text : result.Command.Name);
        }
        return names;
    }

    /// <summary>The standard help, then the exit codes, which every command shares.</summary>
    private sealed class HelpWithExitCodes(HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            standard.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Exit codes:");
            output.WriteLine("  0  success");
            output.WriteLine("  1  usage error: bad option, unknown command, malformed or ambiguous id,");
            output.WriteLine("     answer of the wrong kind, a --db that is not a pipeline database, or");
            output.WriteLine("     one without the schema or with an older one (run agentpipe migrate)");
            output.WriteLine("  2  not found: no run, CTA or (show --agent) invocation has that id, or");
            output.WriteLine("     no database at --db");
            output.WriteLine("  3  conflict: the CTA was already answered or timed out, or another state");
            output.WriteLine("     that forbids the change");
            output.WriteLine("  4  database unreachable or refused: server down, connection lost, login");
            output.WriteLine("     refused, not a PostgreSQL server, file busy or cannot be opened");
            output.WriteLine("  130  cancelled (Ctrl+C)");
            output.WriteLine();
            return ExitCodes.Success;
        }
    }
}
