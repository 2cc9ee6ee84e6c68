namespace AgentPipeline.Persistence;

/// <summary>
/// Data for <see cref="PipelinePersistence.CreateCtaEventAsync"/>: a question to a human.
/// approval needs <see cref="RequestMessage"/>; text needs <see cref="RequestPrompt"/> (and may have
/// <see cref="RequestPlaceholder"/>); choice needs <see cref="RequestPrompt"/> and at least one option.
/// Fields of another kind are rejected.
/// </summary>
public sealed record NewCtaEvent
{
    /// <summary>Caller-chosen id for idempotent replays; a UUIDv7 is made when null.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>run_id</c>. Required.</summary>
    public required Guid RunId { get; init; }
    /// <summary><c>phase_result_id</c>: the phase asking, in the same run; optional.</summary>
    public Guid? PhaseResultId { get; init; }
    /// <summary><c>invocation_id</c>: the agent asking, in the same run; null when the master orchestrator asks.</summary>
    public Guid? InvocationId { get; init; }
    /// <summary><c>tool_call_id</c>: the SDK id of the <c>request_human_feedback</c> call, if any.</summary>
    public string? ToolCallId { get; init; }
    /// <summary><c>kind</c>.</summary>
    public required CtaKind Kind { get; init; }
    /// <summary><c>request_message</c> (approval).</summary>
    public string? RequestMessage { get; init; }
    /// <summary><c>request_prompt</c> (text, choice).</summary>
    public string? RequestPrompt { get; init; }
    /// <summary><c>request_placeholder</c> (text).</summary>
    public string? RequestPlaceholder { get; init; }
    /// <summary><c>request_options</c> (choice).</summary>
    public IReadOnlyList<CtaOption>? RequestOptions { get; init; }
}
