namespace AgentPipeline.Cli.Reading;

/// <summary>What <c>agentpipe stats --by</c> groups invocations by.</summary>
internal enum StatsGrouping
{
    Model,
    Phase,
    Agent,
}
