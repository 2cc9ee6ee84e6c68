using Npgsql;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>
/// Turns an Npgsql exception into one of ours, by SQLSTATE: a missing table, schema or column
/// means the schema is missing or older than this library; what Npgsql calls transient, and the
/// conflicts that succeed when repeated, are transient.
/// </summary>
internal static class PostgreSqlErrors
{
    /// <summary>undefined_table: the pipeline's tables are not there.</summary>
    public const string UndefinedTable = "42P01";

    /// <summary>invalid_schema_name: the pipeline's schema is not there.</summary>
    public const string InvalidSchemaName = "3F000";

    /// <summary>undefined_column: the tables are there, from an older migration.</summary>
    public const string UndefinedColumn = "42703";

    /// <summary>serialization_failure: repeating the transaction succeeds.</summary>
    public const string SerializationFailure = "40001";

    /// <summary>deadlock_detected: repeating the transaction succeeds.</summary>
    public const string DeadlockDetected = "40P01";

    /// <summary>lock_not_available: repeating the transaction succeeds.</summary>
    public const string LockNotAvailable = "55P03";

    /// <summary>Anything else is returned as it is.</summary>
    public static Exception Translate(Exception exception)
    {
        switch (exception)
        {
            case PostgresException { SqlState: UndefinedTable or InvalidSchemaName } missing:
                return new SchemaMissingException(SchemaMissingException.MissingMessage, missing);
            case PostgresException { SqlState: UndefinedColumn } outdated:
                return new SchemaMissingException(SchemaMissingException.OutdatedMessage, outdated);
            case PostgresException pg:
                var transient = pg.IsTransient || pg.SqlState is SerializationFailure or DeadlockDetected or LockNotAvailable;
                return new PipelineDatabaseException($"PostgreSQL error {pg.SqlState}: {pg.MessageText}", pg, transient);
            case NpgsqlException npgsql:
                return new PipelineDatabaseException(
                    npgsql.IsTransient ? $"PostgreSQL is unreachable or the connection was lost: {npgsql.Message}" : $"PostgreSQL: {npgsql.Message}",
                    npgsql, npgsql.IsTransient);
            default:
                return exception;
        }
    }
}
