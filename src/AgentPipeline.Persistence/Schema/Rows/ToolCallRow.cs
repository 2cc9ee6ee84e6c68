namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>tool_calls</c>; see data-model.md for each column.</summary>
internal sealed class ToolCallRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid StepId { get; set; }
    public Guid InvocationId { get; set; }
    public string ToolCallId { get; set; } = null!;
    public string ToolName { get; set; } = null!;
    public string? Input { get; set; }
    public string? Output { get; set; }
    public ToolOutputType? OutputType { get; set; }
    public bool IsDynamic { get; set; }
    public bool IsInvalid { get; set; }
    public string? Error { get; set; }
    public bool IsPreliminary { get; set; }
    public bool IsProviderExecuted { get; set; }
    public string? Title { get; set; }
    public string? ProviderMetadata { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
