namespace AgentPipeline.Cli.Reading;

/// <summary>One group of <c>agentpipe stats</c>: what the invocations in it used.</summary>
/// <param name="Key">The model id, phase or agent type.</param>
/// <param name="ModelProvider">The provider, when grouping by model.</param>
/// <param name="Invocations">Agent invocations (top level and sub-agents).</param>
/// <param name="Steps">Model calls (agent steps).</param>
/// <param name="ToolCalls">Tool calls made by those steps.</param>
/// <param name="AgentTimeMs">Summed invocation durations (parallel sub-agents add up), completed invocations only.</param>
internal sealed record StatsRow(
    string Key,
    string? ModelProvider,
    int Invocations,
    int Steps,
    int ToolCalls,
    long InputTokens,
    long OutputTokens,
    long TotalTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long ReasoningTokens,
    long AgentTimeMs);
