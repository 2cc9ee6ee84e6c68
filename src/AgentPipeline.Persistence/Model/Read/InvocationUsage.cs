namespace AgentPipeline.Persistence;

/// <summary>
/// What one agent invocation used, as <see cref="PipelinePersistence.ListInvocationUsageAsync"/> lists it:
/// who ran (phase, agent type, model), its token counts by kind, how many model steps and tool calls it
/// made, and when. No content: a row stays small however large the invocation's messages are, so usage
/// over many runs (a cost view, <c>agentpipe stats</c>) is read a page at a time.
/// </summary>
public sealed record InvocationUsage
{
    /// <summary>The invocation's <c>id</c>.</summary>
    public required Guid InvocationId { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public required Guid RunId { get; init; }

    /// <summary><c>phase_result_id</c>.</summary>
    public required Guid PhaseResultId { get; init; }

    /// <summary>The <c>phase</c> of its phase result.</summary>
    public required FeaturePhase Phase { get; init; }

    /// <summary><c>parent_invocation_id</c>: the invocation that spawned this sub-agent; null at top level.</summary>
    public Guid? ParentInvocationId { get; init; }

    /// <summary><c>agent_type</c>.</summary>
    public required AgentType AgentType { get; init; }

    /// <summary><c>model_provider</c>.</summary>
    public string? ModelProvider { get; init; }

    /// <summary><c>model_id</c>.</summary>
    public string? ModelId { get; init; }

    /// <summary><c>finish_reason</c>: null until it completes.</summary>
    public FinishReason? FinishReason { get; init; }

    /// <summary>
    /// Token counts by kind, by the rule <see cref="FeatureRun.Tokens"/> uses: a completed invocation's own
    /// stored counts; for one still running (which has none yet), the sum of its steps so far
    /// (<see cref="TokensFromSteps"/>). A kind is null when nothing reported it. <see cref="TokenUsage.Raw"/> is always null.
    /// </summary>
    public required TokenUsage Tokens { get; init; }

    /// <summary>True while the invocation runs: <see cref="Tokens"/> then sums its steps so far.</summary>
    public bool TokensFromSteps { get; init; }

    /// <summary>How many <c>agent_steps</c> rows it has (model calls made so far).</summary>
    public int StepCount { get; init; }

    /// <summary>How many <c>tool_calls</c> rows its steps have.</summary>
    public int ToolCallCount { get; init; }

    /// <summary><c>started_at</c> (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary><c>completed_at</c> (UTC): null while it runs.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}
