namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>agent_steps</c>; see data-model.md for each column.</summary>
internal sealed class AgentStepRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid InvocationId { get; set; }
    public int StepNumber { get; set; }
    public string? ModelProvider { get; set; }
    public string? ModelId { get; set; }
    public string? FunctionId { get; set; }
    public string? Metadata { get; set; }
    public string? Text { get; set; }
    public string? ReasoningText { get; set; }
    public string? Reasoning { get; set; }
    public string? Content { get; set; }
    public string? Files { get; set; }
    public string? Sources { get; set; }
    public FinishReason? FinishReason { get; set; }
    public string? RawFinishReason { get; set; }
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public long? TotalTokens { get; set; }
    public long? InputTokensNoCacheTokens { get; set; }
    public long? InputTokensCacheReadTokens { get; set; }
    public long? InputTokensCacheWriteTokens { get; set; }
    public long? OutputTokensTextTokens { get; set; }
    public long? OutputTokensReasoningTokens { get; set; }
    public string? UsageRaw { get; set; }
    public string? Warnings { get; set; }
    public string? RequestBody { get; set; }
    public string? ResponseId { get; set; }
    public string? ResponseModelId { get; set; }
    public string? ResponseHeaders { get; set; }
    public string? ResponseBody { get; set; }
    public DateTimeOffset? ResponseTimestamp { get; set; }
    public string? ProviderMetadata { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
