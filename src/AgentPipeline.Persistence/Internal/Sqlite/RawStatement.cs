using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>A statement prepared through the C API, with each parameter's position.</summary>
internal sealed class RawStatement(sqlite3_stmt handle, int[] indexes)
{
    public sqlite3_stmt Handle { get; } = handle;

    /// <summary>For each of <see cref="Sql.Parameters"/>, its 1-based position in the statement.</summary>
    public int[] Indexes { get; } = indexes;

    public static RawStatement Prepare(sqlite3 db, Sql sql, Dialect dialect)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql.TextFor(dialect), out var stmt);
        SqliteException.ThrowExceptionForRC(rc, db);
        var indexes = new int[sql.Parameters.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = raw.sqlite3_bind_parameter_index(stmt, "@" + sql.Parameters[i].Name);
            if (indexes[i] == 0)
            {
                stmt.Dispose();
                throw new InvalidOperationException($"Statement has no parameter @{sql.Parameters[i].Name}.");
            }
        }
        return new RawStatement(stmt, indexes);
    }
}
