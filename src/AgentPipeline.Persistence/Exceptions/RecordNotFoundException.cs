namespace AgentPipeline.Persistence;

/// <summary>A row to update, or the parent of a row to create, does not exist. Nothing was written.</summary>
public sealed class RecordNotFoundException : PipelinePersistenceException
{
    /// <summary>Creates the exception.</summary>
    public RecordNotFoundException(string table, string id)
        : base($"No row in {table} with id '{id}'.")
    {
        Table = table;
        Id = id;
    }

    /// <summary>The table that lacks the row, e.g. <c>feature_runs</c>.</summary>
    public string Table { get; }

    /// <summary>The id looked for.</summary>
    public string Id { get; }
}
