using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>tool_calls</c> as stored, with its result when one was recorded.
/// </summary>
public sealed record ToolCall
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public required Guid RunId { get; init; }

    /// <summary><c>step_id</c>.</summary>
    public required Guid StepId { get; init; }

    /// <summary><c>invocation_id</c>.</summary>
    public required Guid InvocationId { get; init; }

    /// <summary><c>tool_call_id</c>: the SDK's id.</summary>
    public required string ToolCallId { get; init; }

    /// <summary><c>tool_name</c>.</summary>
    public required string ToolName { get; init; }

    /// <summary><c>input</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Input { get; init; }

    /// <summary><c>output</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Output { get; init; }

    /// <summary><c>output_type</c>.</summary>
    public ToolOutputType? OutputType { get; init; }

    /// <summary><c>is_dynamic</c>.</summary>
    public bool IsDynamic { get; init; }

    /// <summary><c>is_invalid</c>.</summary>
    public bool IsInvalid { get; init; }

    /// <summary><c>error</c>. Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? Error { get; init; }

    /// <summary><c>is_preliminary</c>.</summary>
    public bool IsPreliminary { get; init; }

    /// <summary><c>is_provider_executed</c>.</summary>
    public bool IsProviderExecuted { get; init; }

    /// <summary><c>title</c>.</summary>
    public string? Title { get; init; }

    /// <summary><c>provider_metadata</c> (credentials redacted when written). Null when a tree was read without content (<see cref="RunTreeOptions.IncludeContent"/>).</summary>
    public JsonElement? ProviderMetadata { get; init; }

    /// <summary><c>created_at</c> (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
