namespace AgentPipeline.Cli.Reading;

/// <summary>
/// A whole run as <c>agentpipe show</c> prints it and <c>show --json</c> serializes it: phases in
/// the order they started, each with its top-level invocations; sub-agents nested under their parent.
/// </summary>
internal sealed record RunDetail(
    Guid Id,
    string ShortId,
    string Prompt,
    string CurrentPhase,
    string? GithubRepoUrl,
    string? GithubBranch,
    SandboxView? Sandbox,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    long TotalTokens,
    IReadOnlyList<PhaseView> Phases,
    IReadOnlyList<MemoryView> Memories,
    IReadOnlyList<CtaView> Ctas);

internal sealed record SandboxView(string Id, string Status, string? Runtime, string? Region, int? DurationMs);

internal sealed record PhaseView(
    Guid Id,
    string Phase,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    IReadOnlyList<InvocationView> Invocations);

internal sealed record InvocationView(
    Guid Id,
    string ShortId,
    Guid? ParentInvocationId,
    string AgentType,
    string? ModelProvider,
    string? ModelId,
    string? FinishReason,
    string? RawFinishReason,
    int? StepCount,
    UsageView Usage,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    IReadOnlyList<StepView> Steps,
    IReadOnlyList<InvocationView> SubAgents);

/// <summary>The eight token columns of an invocation or a step.</summary>
internal sealed record UsageView(
    long? InputTokens,
    long? OutputTokens,
    long? TotalTokens,
    long? InputNoCacheTokens,
    long? InputCacheReadTokens,
    long? InputCacheWriteTokens,
    long? OutputTextTokens,
    long? OutputReasoningTokens);

internal sealed record StepView(
    Guid Id,
    int StepNumber,
    string? ModelId,
    string? FinishReason,
    UsageView Usage,
    DateTimeOffset CreatedAt,
    IReadOnlyList<ToolCallView> ToolCalls);

/// <param name="IsError">The call failed: an error object, an error-text/error-json/execution-denied output, or invalid input.</param>
internal sealed record ToolCallView(
    Guid Id,
    string ToolCallId,
    string ToolName,
    string? Title,
    string? OutputType,
    bool IsError,
    DateTimeOffset CreatedAt);

internal sealed record MemoryView(Guid Id, string Phase, string Kind, string Content, Guid? InvocationId, DateTimeOffset CreatedAt);
