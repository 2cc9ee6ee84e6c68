namespace AgentPipeline.Cli.Reading;

/// <summary>A CTA with its resolution, as <c>cta list</c>, <c>show</c> and their <c>--json</c> give it.</summary>
/// <param name="Phase">The phase of its phase result, when it has one.</param>
/// <param name="Status"><c>open</c>, <c>answered</c> or <c>timed-out</c>.</param>
internal sealed record CtaView(
    Guid Id,
    string ShortId,
    Guid RunId,
    string RunShortId,
    Guid? PhaseResultId,
    string? Phase,
    Guid? InvocationId,
    string? ToolCallId,
    string Kind,
    string? RequestMessage,
    string? RequestPrompt,
    string? RequestPlaceholder,
    IReadOnlyList<CtaOptionView>? RequestOptions,
    string Status,
    CtaResponseView? Response,
    DateTimeOffset RequestedAt,
    DateTimeOffset? RespondedAt,
    bool TimedOut)
{
    public const string Open = "open";
    public const string Answered = "answered";
    public const string TimedOutStatus = "timed-out";

    /// <summary>What was asked: the approval message or the text/choice prompt.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Question => RequestMessage ?? RequestPrompt ?? "";
}

internal sealed record CtaOptionView(string Id, string Label);

internal sealed record CtaResponseView(bool? Approved, string? Reason, string? Text, string? SelectedId);
