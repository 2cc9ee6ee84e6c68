using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateToolCallAsync"/>: one tool call made in a step.</summary>
public sealed record NewToolCall
{
    /// <summary>Caller-chosen id. When null, (<see cref="StepId"/>, <see cref="ToolCallId"/>) identifies a replay and a UUIDv7 is made for a new call.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>step_id</c>. Required; <c>invocation_id</c> and <c>run_id</c> are copied from the step.</summary>
    public required Guid StepId { get; init; }
    /// <summary><c>tool_call_id</c>: the SDK's id, unique within the step. Required.</summary>
    public required string ToolCallId { get; init; }
    /// <summary><c>tool_name</c> (read, glob, grep, write, edit, bash, spawn_subagent, …). Required.</summary>
    public required string ToolName { get; init; }
    /// <summary><c>input</c>.</summary>
    public JsonElement? Input { get; init; }
    /// <summary><c>output</c>.</summary>
    public JsonElement? Output { get; init; }
    /// <summary><c>output_type</c>.</summary>
    public ToolOutputType? OutputType { get; init; }
    /// <summary><c>is_dynamic</c>.</summary>
    public bool IsDynamic { get; init; }
    /// <summary><c>is_invalid</c>.</summary>
    public bool IsInvalid { get; init; }
    /// <summary><c>error</c>.</summary>
    public JsonElement? Error { get; init; }
    /// <summary><c>is_preliminary</c>.</summary>
    public bool IsPreliminary { get; init; }
    /// <summary><c>is_provider_executed</c>.</summary>
    public bool IsProviderExecuted { get; init; }
    /// <summary><c>title</c>.</summary>
    public string? Title { get; init; }
    /// <summary><c>provider_metadata</c>.</summary>
    public JsonElement? ProviderMetadata { get; init; }
}
