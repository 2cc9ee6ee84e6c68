using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>agent_invocations</c> as stored: one agent's run, top level or sub-agent.
/// </summary>
public sealed record AgentInvocation
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public required Guid RunId { get; init; }

    /// <summary><c>phase_result_id</c>.</summary>
    public required Guid PhaseResultId { get; init; }

    /// <summary><c>parent_invocation_id</c>: the invocation that spawned this sub-agent; null at top level.</summary>
    public Guid? ParentInvocationId { get; init; }

    /// <summary><c>agent_type</c>.</summary>
    public required AgentType AgentType { get; init; }

    /// <summary><c>model_provider</c>.</summary>
    public string? ModelProvider { get; init; }

    /// <summary><c>model_id</c>.</summary>
    public string? ModelId { get; init; }

    /// <summary><c>system_prompt</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary><c>input_messages</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? InputMessages { get; init; }

    /// <summary><c>finish_reason</c>: null until it completes.</summary>
    public FinishReason? FinishReason { get; init; }

    /// <summary><c>raw_finish_reason</c>.</summary>
    public string? RawFinishReason { get; init; }

    /// <summary><c>output_text</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public string? OutputText { get; init; }

    /// <summary><c>output_reasoning_text</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public string? OutputReasoningText { get; init; }

    /// <summary><c>output_reasoning</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? OutputReasoning { get; init; }

    /// <summary><c>output_content</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? OutputContent { get; init; }

    /// <summary><c>output_files</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? OutputFiles { get; init; }

    /// <summary><c>output_sources</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? OutputSources { get; init; }

    /// <summary><c>response_messages</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? ResponseMessages { get; init; }

    /// <summary><c>response_id</c>.</summary>
    public string? ResponseId { get; init; }

    /// <summary><c>response_model_id</c>.</summary>
    public string? ResponseModelId { get; init; }

    /// <summary><c>response_headers</c> (credentials redacted when written). Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? ResponseHeaders { get; init; }

    /// <summary><c>response_body</c> (credentials redacted when written). Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? ResponseBody { get; init; }

    /// <summary><c>response_timestamp</c> (UTC).</summary>
    public DateTimeOffset? ResponseTimestamp { get; init; }

    /// <summary><c>provider_metadata</c> (credentials redacted when written). Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? ProviderMetadata { get; init; }

    /// <summary><c>warnings</c>.</summary>
    public JsonElement? Warnings { get; init; }

    /// <summary><c>request_body</c> (credentials redacted when written). Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? RequestBody { get; init; }

    /// <summary><c>step_count</c>.</summary>
    public int? StepCount { get; init; }

    /// <summary>The eight token columns and <c>usage_raw</c>; null when none of the nine is set (before it completes, or when it completed without usage and had no steps). <c>Raw</c> is null when a tree was read without content.</summary>
    public TokenUsage? Usage { get; init; }

    /// <summary><c>started_at</c> (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary><c>completed_at</c> (UTC): null while it runs.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}
