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
    public int? InputTokens { get; set; }
    public int? OutputTokens { get; set; }
    public int? TotalTokens { get; set; }
    public int? InputTokensNoCacheTokens { get; set; }
    public int? InputTokensCacheReadTokens { get; set; }
    public int? InputTokensCacheWriteTokens { get; set; }
    public int? OutputTokensTextTokens { get; set; }
    public int? OutputTokensReasoningTokens { get; set; }
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
