using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>agent_steps</c> as stored: one model step of an invocation.
/// </summary>
public sealed record AgentStep
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public required Guid RunId { get; init; }

    /// <summary><c>invocation_id</c>.</summary>
    public required Guid InvocationId { get; init; }

    /// <summary><c>step_number</c>: 0-based, unique within its invocation.</summary>
    public int StepNumber { get; init; }

    /// <summary><c>model_provider</c>.</summary>
    public string? ModelProvider { get; init; }

    /// <summary><c>model_id</c>.</summary>
    public string? ModelId { get; init; }

    /// <summary><c>function_id</c>.</summary>
    public string? FunctionId { get; init; }

    /// <summary><c>metadata</c>.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary><c>text</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public string? Text { get; init; }

    /// <summary><c>reasoning_text</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public string? ReasoningText { get; init; }

    /// <summary><c>reasoning</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Reasoning { get; init; }

    /// <summary><c>content</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Content { get; init; }

    /// <summary><c>files</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Files { get; init; }

    /// <summary><c>sources</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Sources { get; init; }

    /// <summary><c>finish_reason</c>.</summary>
    public FinishReason? FinishReason { get; init; }

    /// <summary><c>raw_finish_reason</c>.</summary>
    public string? RawFinishReason { get; init; }

    /// <summary>The eight token columns and <c>usage_raw</c>; null when none of the nine is set. <c>Raw</c> is null when a tree was read without content.</summary>
    public TokenUsage? Usage { get; init; }

    /// <summary><c>warnings</c>.</summary>
    public JsonElement? Warnings { get; init; }

    /// <summary><c>request_body</c> (credentials redacted when written). Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? RequestBody { get; init; }

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

    /// <summary><c>created_at</c> (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
