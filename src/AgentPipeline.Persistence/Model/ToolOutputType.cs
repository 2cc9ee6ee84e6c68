namespace AgentPipeline.Persistence;

/// <summary>Shape of a tool's output (<c>tool_output_type</c>).</summary>
public enum ToolOutputType
{
    /// <summary>Stored as <c>text</c>.</summary>
    Text,
    /// <summary>Stored as <c>json</c>.</summary>
    Json,
    /// <summary>Stored as <c>execution-denied</c>.</summary>
    ExecutionDenied,
    /// <summary>Stored as <c>error-text</c>.</summary>
    ErrorText,
    /// <summary>Stored as <c>error-json</c>.</summary>
    ErrorJson,
    /// <summary>Stored as <c>content</c>.</summary>
    Content,
}
