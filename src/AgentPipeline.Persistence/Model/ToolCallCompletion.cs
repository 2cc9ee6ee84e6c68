using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// Data for <see cref="PipelinePersistence.CompleteToolCallAsync"/>: a tool call's result, recorded
/// after the call was (a long-running tool, such as <c>request_human_feedback</c> waiting days for
/// its CTA). At least one of <see cref="Output"/> and <see cref="Error"/> is required.
/// </summary>
public sealed record ToolCallCompletion
{
    /// <summary><c>output</c>: what the tool returned.</summary>
    public JsonElement? Output { get; init; }
    /// <summary><c>output_type</c>: how <see cref="Output"/> is to be read (text, json, error-text, …).</summary>
    public ToolOutputType? OutputType { get; init; }
    /// <summary><c>error</c>: why the tool failed.</summary>
    public JsonElement? Error { get; init; }
    /// <summary><c>is_invalid</c>: the call itself was invalid (an unknown tool, input that did not parse).</summary>
    public bool IsInvalid { get; init; }
}
