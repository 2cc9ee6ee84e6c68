namespace AgentPipeline.Persistence.Internal.Reading;

/// <summary>
/// The columns of the indexes a run's tree is read through (<c>IX_agent_steps_tree</c>,
/// <c>IX_tool_calls_tree</c>, defined in the EF model): the key, which is the run and the order
/// the tree reads in, and on SQLite the rest of what a tree without content reads
/// (<see cref="RowReaders.Steps.Light"/>, <see cref="RowReaders.Tools.Light"/>), so that SQLite
/// answers from the index alone. Taken from the projections, so a column a light read adds is
/// in the index too (a model change, which needs a migration).
/// </summary>
internal static class TreeColumns
{
    public static readonly string[] StepKey = ["run_id", "invocation_id", "step_number"];

    public static readonly string[] StepCovered = [.. RowReaders.Steps.Light.Projection.Names.Except(StepKey)];

    public static readonly string[] ToolKey = ["run_id", "created_at", "id"];

    public static readonly string[] ToolCovered = [.. RowReaders.Tools.Light.Projection.Names.Except(ToolKey)];

    /// <summary>The EF property of a column: <c>input_tokens_no_cache_tokens</c> → <c>InputTokensNoCacheTokens</c>.</summary>
    public static string Property(string column) =>
        string.Concat(column.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
