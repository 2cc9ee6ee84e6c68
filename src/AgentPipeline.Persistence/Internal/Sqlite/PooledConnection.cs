using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>One pooled connection with its prepared commands and raw statements (see <see cref="SqliteDialect"/>).</summary>
internal sealed class PooledConnection : IDisposable
{
    private readonly Dictionary<Sql, SqliteCommand> _commands = [];
    private readonly Dictionary<Sql, RawStatement> _statements = [];

    /// <summary>
    /// Runs a statement that returns no rows straight through SQLite's C API: prepared once per
    /// connection, values bound by position, one step, reset. Microsoft.Data.Sqlite's
    /// ExecuteNonQuery looks every parameter up by name and builds a reader per call, which
    /// was a fifth of the group-commit writer's time. Errors become the
    /// <see cref="SqliteException"/> Microsoft.Data.Sqlite would have thrown.
    /// </summary>
    public int Execute(Sql sql, object[] bound, Dialect dialect) => _direct
        ? Execute(default(NativeCalls), sql, bound, dialect)
        : Execute(default(WrapperCalls), sql, bound, dialect);

    private int Execute<TCalls>(TCalls calls, Sql sql, object[] bound, Dialect dialect) where TCalls : struct, IStatementCalls
    {
        var statement = Bind(calls, sql, bound, dialect);
        try
        {
            var step = calls.Step(statement);
            if (step == raw.SQLITE_ROW)
            {
                throw new InvalidOperationException("Execute is for statements that return no rows.");
            }
            if (step != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(step, Connection.Handle);
            }
            return calls.Changes(Connection.Handle!);
        }
        finally
        {
            calls.Done(statement);
        }
    }

    /// <summary>
    /// A query stepped through SQLite's C API, each row mapped from the column bytes
    /// (<see cref="SqliteRow"/>): no reader object, no strings for ids, instants or enum values.
    /// </summary>
    public List<T> Read<T>(Sql sql, object[] bound, Dialect dialect, Func<Row, T> map)
    {
        var statement = Bind(default(NativeCalls), sql, bound, dialect);
        var stmt = statement.Handle.DangerousGetHandle();
        try
        {
            var list = new List<T>();
            var row = new SqliteRow(stmt);
            try
            {
                int step;
                while ((step = SqliteNative.Step(stmt)) == raw.SQLITE_ROW)
                {
                    list.Add(map(row));
                }
                if (step != raw.SQLITE_DONE)
                {
                    SqliteException.ThrowExceptionForRC(step, Connection.Handle);
                }
                return list;
            }
            finally
            {
                row.Invalidate(); // a map that kept the row cannot read a reset statement
            }
        }
        finally
        {
            default(NativeCalls).Done(statement);
        }
    }

    private RawStatement Statement(Sql sql, Dialect dialect)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = RawStatement.Prepare(Connection.Handle!, sql, dialect);
            _statements.Add(sql, statement);
        }
        return statement;
    }

    /// <summary>The statement, prepared once for this connection, with <paramref name="bound"/> bound by position.</summary>
    private RawStatement Bind<TCalls>(TCalls calls, Sql sql, object[] bound, Dialect dialect) where TCalls : struct, IStatementCalls
    {
        var statement = Statement(sql, dialect);
        try
        {
            for (var i = 0; i < bound.Length; i++)
            {
                var index = statement.Indexes[i];
                var rc = bound[i] switch
                {
                    string text => calls.BindText(statement, index, text),
                    int number => calls.BindInt64(statement, index, number),
                    long number => calls.BindInt64(statement, index, number),
                    bool flag => calls.BindInt64(statement, index, flag ? 1 : 0),
                    byte[] blob => calls.BindBlob(statement, index, blob),
                    DBNull => 0, // every parameter is NULL after Done (clear_bindings) and when new
                    var other => throw new InvalidOperationException($"No SQLite binding for {other.GetType()}."),
                };
                SqliteException.ThrowExceptionForRC(rc, Connection.Handle);
            }
        }
        catch
        {
            calls.Done(statement);
            throw;
        }
        return statement;
    }

    private readonly bool _direct;

    public PooledConnection(SqliteConnection connection, bool direct)
    {
        Connection = connection;
        _direct = direct;
    }

    /// <summary>Whether <see cref="Read{T}"/> can be used (direct calls); otherwise reads go through a data reader.</summary>
    public bool ReadsDirectly => _direct;

    public SqliteConnection Connection { get; }

    public SqliteCommand Command(Sql sql, Dialect dialect)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            return command;
        }
        command = Connection.CreateCommand();
        command.CommandText = sql.TextFor(dialect);
        foreach (var p in sql.Parameters)
        {
            command.Parameters.Add(new SqliteParameter("@" + p.Name, p.Type switch
            {
                Col.Int or Col.Long or Col.Bool => SqliteType.Integer,
                _ => SqliteType.Text,
            }));
        }
        command.Prepare();
        _commands.Add(sql, command);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        foreach (var statement in _statements.Values)
        {
            statement.Handle.Dispose();
        }
        Connection.Dispose();
    }
}
