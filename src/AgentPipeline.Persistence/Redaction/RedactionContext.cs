namespace AgentPipeline.Persistence;

/// <summary>Where a JSON value being redacted is going: its table and column, named as in the data model.</summary>
/// <param name="Table">The table: <c>agent_invocations</c>, <c>agent_steps</c> or (for <c>provider_metadata</c>) <c>tool_calls</c>.</param>
/// <param name="Column">The column: <c>response_headers</c>, <c>request_body</c>, <c>response_body</c> or <c>provider_metadata</c>.</param>
public readonly record struct RedactionContext(string Table, string Column)
{
    /// <summary>True for the <c>response_headers</c> column, whose property names are HTTP header names.</summary>
    public bool IsHeaders => string.Equals(Column, "response_headers", StringComparison.Ordinal);
}
