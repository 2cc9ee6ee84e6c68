namespace AgentPipeline.Persistence;

/// <summary>The database behind a <see cref="PipelineDb"/>.</summary>
public enum PipelineProvider
{
    /// <summary>An embedded SQLite file (the default).</summary>
    Sqlite,
    /// <summary>A PostgreSQL server; tables live in schema <c>agent</c>.</summary>
    PostgreSql,
}
