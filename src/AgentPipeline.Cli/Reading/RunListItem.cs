namespace AgentPipeline.Cli.Reading;

/// <summary>One line of <c>agentpipe runs</c> (and one element of its <c>--json</c> array).</summary>
internal sealed record RunListItem(
    Guid Id,
    string ShortId,
    string Prompt,
    string CurrentPhase,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    long TotalTokens,
    int OpenCtas);
