namespace AgentPipeline.Persistence;

/// <summary>
/// The database has no pipeline schema (<see cref="PipelineDb.MigrateAsync"/> was never run on it)
/// or an older one than this version of the library needs. Call <see cref="PipelineDb.MigrateAsync"/>
/// at start, or run <c>agentpipe migrate</c>. The provider's error ("no such table", PostgreSQL
/// 42P01 / 42703) is the <see cref="Exception.InnerException"/>. Never transient.
/// </summary>
public sealed class SchemaMissingException : PipelinePersistenceException
{
    /// <summary>The message for a database without the pipeline's tables.</summary>
    internal const string MissingMessage =
        "The database has no pipeline schema: call PipelineDb.MigrateAsync() at start or run `agentpipe migrate`.";

    /// <summary>The message for a database whose tables predate this library version.</summary>
    internal const string OutdatedMessage =
        "The database's pipeline schema is older than this library: call PipelineDb.MigrateAsync() at start or run `agentpipe migrate`.";

    /// <summary>Creates the exception.</summary>
    public SchemaMissingException(string message, Exception? innerException = null)
        : base(message, innerException, isTransient: false)
    {
    }
}
