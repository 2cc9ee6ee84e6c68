using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateAgentStepAsync"/>: one model step inside an invocation.</summary>
public sealed record NewAgentStep
{
    /// <summary>Caller-chosen id. When null, (<see cref="InvocationId"/>, <see cref="StepNumber"/>) identifies a replay and a UUIDv7 is made for a new step.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>invocation_id</c>. Required; <c>run_id</c> is copied from it.</summary>
    public required Guid InvocationId { get; init; }
    /// <summary><c>step_number</c>: 0-based, unique within the invocation.</summary>
    public required int StepNumber { get; init; }
    /// <summary><c>model_provider</c>.</summary>
    public string? ModelProvider { get; init; }
    /// <summary><c>model_id</c>.</summary>
    public string? ModelId { get; init; }
    /// <summary><c>function_id</c>.</summary>
    public string? FunctionId { get; init; }
    /// <summary><c>metadata</c>.</summary>
    public JsonElement? Metadata { get; init; }
    /// <summary><c>text</c>.</summary>
    public string? Text { get; init; }
    /// <summary><c>reasoning_text</c>.</summary>
    public string? ReasoningText { get; init; }
    /// <summary><c>reasoning</c>.</summary>
    public JsonElement? Reasoning { get; init; }
    /// <summary><c>content</c>.</summary>
    public JsonElement? Content { get; init; }
    /// <summary><c>files</c>.</summary>
    public JsonElement? Files { get; init; }
    /// <summary><c>sources</c>.</summary>
    public JsonElement? Sources { get; init; }
    /// <summary><c>finish_reason</c>.</summary>
    public FinishReason? FinishReason { get; init; }
    /// <summary><c>raw_finish_reason</c>.</summary>
    public string? RawFinishReason { get; init; }
    /// <summary>The eight token columns and <c>usage_raw</c>.</summary>
    public TokenUsage? Usage { get; init; }
    /// <summary><c>warnings</c>.</summary>
    public JsonElement? Warnings { get; init; }
    /// <summary><c>request_body</c>.</summary>
    public JsonElement? RequestBody { get; init; }
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
}
