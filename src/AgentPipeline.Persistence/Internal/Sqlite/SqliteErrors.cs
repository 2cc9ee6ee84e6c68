using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// Turns a <see cref="SqliteException"/> into one of ours, by SQLite's primary result code (the low
/// byte of the extended code): a missing table or column means the schema is missing or older than
/// this library; a busy or locked file is transient; the rest are named for a person to act on.
/// </summary>
internal static class SqliteErrors
{
    /// <summary>SQLITE_ERROR: a generic error, among them "no such table" and "no such column".</summary>
    public const int Error = raw.SQLITE_ERROR;

    /// <summary>SQLITE_BUSY: another connection holds the lock past the busy timeout.</summary>
    public const int Busy = raw.SQLITE_BUSY;

    /// <summary>SQLITE_LOCKED: a conflict within this connection's shared cache.</summary>
    public const int Locked = raw.SQLITE_LOCKED;

    /// <summary>SQLITE_READONLY: the file cannot be written.</summary>
    public const int ReadOnly = raw.SQLITE_READONLY;

    /// <summary>SQLITE_CORRUPT: the file is damaged.</summary>
    public const int Corrupt = raw.SQLITE_CORRUPT;

    /// <summary>SQLITE_FULL: the disk is full.</summary>
    public const int Full = raw.SQLITE_FULL;

    /// <summary>SQLITE_CANTOPEN: the file cannot be opened.</summary>
    public const int CantOpen = raw.SQLITE_CANTOPEN;

    /// <summary>SQLITE_NOTADB: the file is not a SQLite database.</summary>
    public const int NotADatabase = raw.SQLITE_NOTADB;

    public static PipelinePersistenceException Translate(SqliteException e)
    {
        var primary = e.SqliteErrorCode & 0xFF;
        if (primary == Error && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return new SchemaMissingException(SchemaMissingException.MissingMessage, e);
        }
        if (primary == Error && (e.Message.Contains("no such column", StringComparison.Ordinal) || e.Message.Contains("has no column named", StringComparison.Ordinal)))
        {
            return new SchemaMissingException(SchemaMissingException.OutdatedMessage, e);
        }
        var transient = primary is Busy or Locked;
        var what = primary switch
        {
            Busy or Locked => "the database file is busy",
            ReadOnly => "the database file is read-only",
            Full => "the disk is full",
            Corrupt or NotADatabase => "the file is not a usable pipeline database",
            CantOpen => "the database file cannot be opened",
            _ => "a SQLite error occurred",
        };
        return new PipelineDatabaseException($"SQLite: {what} (error {e.SqliteErrorCode}: {e.Message})", e, transient);
    }
}
