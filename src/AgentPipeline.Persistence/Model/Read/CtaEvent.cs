namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>cta_events</c> as stored: a question to a human and, once resolved, how.
/// </summary>
public sealed record CtaEvent
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public required Guid RunId { get; init; }

    /// <summary><c>phase_result_id</c>.</summary>
    public Guid? PhaseResultId { get; init; }

    /// <summary><c>invocation_id</c>: null when the master orchestrator asks.</summary>
    public Guid? InvocationId { get; init; }

    /// <summary><c>tool_call_id</c>: the SDK id of the call that asked.</summary>
    public string? ToolCallId { get; init; }

    /// <summary><c>kind</c>.</summary>
    public required CtaKind Kind { get; init; }

    /// <summary><c>request_message</c> (approval).</summary>
    public string? RequestMessage { get; init; }

    /// <summary><c>request_prompt</c> (text, choice).</summary>
    public string? RequestPrompt { get; init; }

    /// <summary><c>request_placeholder</c> (text).</summary>
    public string? RequestPlaceholder { get; init; }

    /// <summary><c>request_options</c> (choice), in the order written.</summary>
    public IReadOnlyList<CtaOption>? RequestOptions { get; init; }

    /// <summary><c>requested_at</c> (UTC).</summary>
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>How it was resolved: the answer (<c>response_approved</c>, <c>response_reason</c>, <c>response_text</c>, <c>response_selected_id</c>), or <c>timed_out</c>, with <c>responded_at</c>; null while it is open.</summary>
    public CtaResolution? Resolution { get; init; }

    /// <summary>Neither answered nor timed out.</summary>
    public bool IsOpen => Resolution is null;
}
