namespace AgentPipeline.Persistence;

/// <summary>
/// A human's answer for <see cref="PipelinePersistence.CompleteCtaEventAsync"/>. approval needs
/// <see cref="Approved"/> (with an optional <see cref="Reason"/>), text needs <see cref="Text"/>, choice needs
/// <see cref="SelectedId"/>; fields of another kind are rejected.
/// </summary>
public sealed record CtaResponse
{
    /// <summary><c>response_approved</c>.</summary>
    public bool? Approved { get; init; }
    /// <summary><c>response_reason</c> (approval only).</summary>
    public string? Reason { get; init; }
    /// <summary><c>response_text</c>.</summary>
    public string? Text { get; init; }
    /// <summary><c>response_selected_id</c>: one of the request's option ids.</summary>
    public string? SelectedId { get; init; }

    /// <summary>An approval.</summary>
    public static CtaResponse Approve(string? reason = null) => new() { Approved = true, Reason = reason };
    /// <summary>A rejection.</summary>
    public static CtaResponse Reject(string? reason = null) => new() { Approved = false, Reason = reason };
    /// <summary>A typed answer.</summary>
    public static CtaResponse WithText(string text) => new() { Text = text };
    /// <summary>A chosen option.</summary>
    public static CtaResponse Choose(string optionId) => new() { SelectedId = optionId };
}
