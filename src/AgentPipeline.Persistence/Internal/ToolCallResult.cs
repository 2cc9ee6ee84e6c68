namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// A tool call's result columns, which <c>CompleteToolCall</c> may fill after the create. For a
/// replay of the create: when the create sent no result and the stored row has one, only
/// <c>CompleteToolCall</c> can have written it, so those four columns are not the create's to
/// compare; every other column still must match, and a create that sent a result is compared in full.
/// </summary>
internal static class ToolCallResult
{
    public static readonly string[] ColumnNames = ["output", "output_type", "error", "is_invalid"];

    /// <summary>The rule for <see cref="CreateSpec.LaterColumns"/>, over the create's <paramref name="columns"/>.</summary>
    public static Func<object?[], object?[], IReadOnlyCollection<string>> RecordedLater(Columns columns)
    {
        int output = columns.IndexOf("output"), outputType = columns.IndexOf("output_type"), error = columns.IndexOf("error");
        return (caller, stored) =>
        {
            var createHadNoResult = caller[output] is null && caller[outputType] is null && caller[error] is null;
            var storedHasResult = stored[output] is not null || stored[outputType] is not null || stored[error] is not null;
            return createHadNoResult && storedHasResult ? ColumnNames : [];
        };
    }
}
