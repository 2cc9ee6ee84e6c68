using Npgsql;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>
/// Turns an Npgsql exception into one of ours, by SQLSTATE: a missing table, schema or column
/// means the schema is missing or older than this library; what Npgsql calls transient, and the
/// conflicts that succeed when repeated, are transient. The codes are Npgsql's named SQLSTATE
/// constants (<see cref="PostgresErrorCodes"/>).
/// </summary>
internal static class PostgreSqlErrors
{
    /// <summary>Anything else is returned as it is.</summary>
    public static Exception Translate(Exception exception)
    {
        switch (exception)
        {
            // The pipeline's tables or schema are not there.
            case PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName } missing:
                return new SchemaMissingException(SchemaMissingException.MissingMessage, missing);
            // The tables are there, from an older migration.
            case PostgresException { SqlState: PostgresErrorCodes.UndefinedColumn } outdated:
                return new SchemaMissingException(SchemaMissingException.OutdatedMessage, outdated);
            case PostgresException pg:
                var transient = pg.IsTransient || pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                    or PostgresErrorCodes.LockNotAvailable;
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
