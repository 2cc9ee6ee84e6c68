namespace AgentPipeline.Persistence;

/// <summary>
/// Base of every exception the store throws on purpose. Argument problems are standard
/// <see cref="ArgumentException"/>s instead, thrown before any I/O.
/// </summary>
public class PipelinePersistenceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PipelinePersistenceException(string message, Exception? innerException = null, bool isTransient = false)
        : base(message, innerException) => IsTransient = isTransient;

    /// <summary>
    /// True when the same call may succeed if repeated (lost connection, busy database,
    /// serialization failure). Every write is idempotent, so repeating it is safe.
    /// </summary>
    public bool IsTransient { get; }
}
