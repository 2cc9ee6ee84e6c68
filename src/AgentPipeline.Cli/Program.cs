using AgentPipeline.Cli.Commands;

return await AgentPipeCommand.InvokeAsync(args);
