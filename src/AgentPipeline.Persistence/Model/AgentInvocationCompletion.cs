using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CompleteAgentInvocationAsync"/>: everything the model SDK returned for the whole invocation.</summary>
public sealed record AgentInvocationCompletion
{
    /// <summary><c>finish_reason</c>.</summary>
    public FinishReason? FinishReason { get; init; }
    /// <summary><c>raw_finish_reason</c>: the provider's own string.</summary>
    public string? RawFinishReason { get; init; }
    /// <summary><c>output_text</c>.</summary>
    public string? OutputText { get; init; }
    /// <summary><c>output_reasoning_text</c>.</summary>
    public string? OutputReasoningText { get; init; }
    /// <summary><c>output_reasoning</c>.</summary>
    public JsonElement? OutputReasoning { get; init; }
    /// <summary><c>output_content</c>.</summary>
    public JsonElement? OutputContent { get; init; }
    /// <summary><c>output_files</c>.</summary>
    public JsonElement? OutputFiles { get; init; }
    /// <summary><c>output_sources</c>.</summary>
    public JsonElement? OutputSources { get; init; }
    /// <summary><c>response_messages</c>.</summary>
    public JsonElement? ResponseMessages { get; init; }
    /// <summary><c>response_id</c>.</summary>
    public string? ResponseId { get; init; }
    /// <summary><c>response_model_id</c>.</summary>
    public string? ResponseModelId { get; init; }
    /// <summary><c>response_headers</c>.</summary>
    public JsonElement? ResponseHeaders { get; init; }
    /// <summary><c>response_body</c>.</summary>
    public JsonElement? ResponseBody { get; init; }
    /// <summary><c>response_timestamp</c> (any offset; stored as UTC).</summary>
    public DateTimeOffset? ResponseTimestamp { get; init; }
    /// <summary><c>provider_metadata</c>.</summary>
    public JsonElement? ProviderMetadata { get; init; }
    /// <summary><c>warnings</c>.</summary>
    public JsonElement? Warnings { get; init; }
    /// <summary><c>request_body</c>.</summary>
    public JsonElement? RequestBody { get; init; }
    /// <summary><c>step_count</c>.</summary>
    public int? StepCount { get; init; }
    /// <summary>The eight token columns and <c>usage_raw</c>.</summary>
    public TokenUsage? Usage { get; init; }
}
