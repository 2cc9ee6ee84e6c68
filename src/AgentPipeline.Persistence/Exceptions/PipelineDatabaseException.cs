namespace AgentPipeline.Persistence;

/// <summary>
/// A database error translated by the store (busy or locked SQLite file, lost PostgreSQL connection,
/// serialization failure, constraint the store did not expect). The provider's exception is the
/// <see cref="Exception.InnerException"/>; <see cref="PipelinePersistenceException.IsTransient"/> says
/// whether repeating the (idempotent) call may succeed.
/// </summary>
public sealed class PipelineDatabaseException : PipelinePersistenceException
{
    /// <summary>Creates the exception.</summary>
    public PipelineDatabaseException(string message, Exception innerException, bool isTransient)
        : base(message, innerException, isTransient)
    {
    }
}
