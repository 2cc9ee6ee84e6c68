namespace AgentPipeline.Persistence;

/// <summary>
/// A create was repeated with an id that is already stored with different data: a replay that is
/// not a replay. Nothing was written; the stored row is unchanged.
/// </summary>
public sealed class IdempotencyConflictException : PipelinePersistenceException
{
    /// <summary>Creates the exception.</summary>
    public IdempotencyConflictException(string table, string id, IReadOnlyList<string> differingColumns)
        : base($"{table} '{id}' already exists with different data (differs in: {string.Join(", ", differingColumns)}).")
    {
        Table = table;
        Id = id;
        DifferingColumns = differingColumns;
    }

    /// <summary>The table, e.g. <c>agent_steps</c>.</summary>
    public string Table { get; }

    /// <summary>The id of the stored row.</summary>
    public string Id { get; }

    /// <summary>The columns whose stored values differ from the repeated call's.</summary>
    public IReadOnlyList<string> DifferingColumns { get; }
}
