namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>agent_invocations</c>; see data-model.md for each column.</summary>
internal sealed class AgentInvocationRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid PhaseResultId { get; set; }
    public Guid? ParentInvocationId { get; set; }
    public AgentType AgentType { get; set; }
    public string? ModelProvider { get; set; }
    public string? ModelId { get; set; }
    public string? SystemPrompt { get; set; }
    public string? InputMessages { get; set; }
    public FinishReason? FinishReason { get; set; }
    public string? RawFinishReason { get; set; }
    public string? OutputText { get; set; }
    public string? OutputReasoningText { get; set; }
    public string? OutputReasoning { get; set; }
    public string? OutputContent { get; set; }
    public string? OutputFiles { get; set; }
    public string? OutputSources { get; set; }
    public string? ResponseMessages { get; set; }
    public string? ResponseId { get; set; }
    public string? ResponseModelId { get; set; }
    public string? ResponseHeaders { get; set; }
    public string? ResponseBody { get; set; }
    public DateTimeOffset? ResponseTimestamp { get; set; }
    public string? ProviderMetadata { get; set; }
    public string? Warnings { get; set; }
    public string? RequestBody { get; set; }
    public int? StepCount { get; set; }
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public long? TotalTokens { get; set; }
    public long? InputTokensNoCacheTokens { get; set; }
    public long? InputTokensCacheReadTokens { get; set; }
    public long? InputTokensCacheWriteTokens { get; set; }
    public long? OutputTokensTextTokens { get; set; }
    public long? OutputTokensReasoningTokens { get; set; }
    public string? UsageRaw { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
