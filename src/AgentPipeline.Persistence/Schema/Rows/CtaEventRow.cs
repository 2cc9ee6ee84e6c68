namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>cta_events</c>; see data-model.md for each column.</summary>
internal sealed class CtaEventRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid? PhaseResultId { get; set; }
    public Guid? InvocationId { get; set; }
    public string? ToolCallId { get; set; }
    public CtaKind Kind { get; set; }
    public string? RequestMessage { get; set; }
    public string? RequestPrompt { get; set; }
    public string? RequestPlaceholder { get; set; }
    public string? RequestOptions { get; set; }
    public bool? ResponseApproved { get; set; }
    public string? ResponseReason { get; set; }
    public string? ResponseText { get; set; }
    public string? ResponseSelectedId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? RespondedAt { get; set; }
    public bool TimedOut { get; set; }
}
