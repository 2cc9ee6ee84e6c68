using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>One tool call a simulated agent makes, with what the tool returned.</summary>
/// <param name="Name">tool_name.</param>
/// <param name="Title">A human-readable title of the call.</param>
/// <param name="Input">The arguments the model passed (serialized to JSON).</param>
/// <param name="Output">What the tool returned (serialized to JSON); null while the call is pending (a question nobody answered yet).</param>
/// <param name="OutputType">How the output is shaped; null while pending.</param>
/// <param name="Error">The tool's error object when it failed, else null.</param>
internal sealed record ToolUse(string Name, string Title, object Input, object? Output, ToolOutputType? OutputType, object? Error = null)
{
    /// <summary>The SDK's tool call id; set ahead when another row (a CTA) must name the call before it is stored.</summary>
    public string CallId { get; init; } = DemoIds.New("toolu_");

    /// <summary>How long the tool ran: file tools are quick, commands are not, a human takes what <see cref="DemoClock"/> is told.</summary>
    public TimeSpan Duration() => Name switch
    {
        "bash" => TimeSpan.FromSeconds(2 + Random.Shared.NextDouble() * (OutputType == ToolOutputType.ErrorText ? 118 : 40)),
        "read" or "glob" or "grep" or "write" or "edit" or "create_memory" => TimeSpan.FromMilliseconds(20 + Random.Shared.Next(400)),
        _ => TimeSpan.FromMilliseconds(50 + Random.Shared.Next(200)),
    };

    /// <summary>The output type as the AI SDK spells it inside messages.</summary>
    public string SdkOutputType => OutputType switch
    {
        ToolOutputType.Json => "json",
        ToolOutputType.ExecutionDenied => "execution-denied",
        ToolOutputType.ErrorText => "error-text",
        ToolOutputType.ErrorJson => "error-json",
        ToolOutputType.Content => "content",
        _ => "text",
    };
}
