using System.CommandLine;
using AgentPipeline.Cli.Commands;

var root = new RootCommand("agentpipe: drive and inspect an agent pipeline database (SQLite or PostgreSQL).");
root.Options.Add(DbOption.Instance);
root.Subcommands.Add(DemoCommand.Create());
return await root.Parse(args).InvokeAsync();
