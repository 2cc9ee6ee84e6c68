using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Persistence.Benchmarks.Baseline;

/// <summary>
/// The SQLite baseline: one connection opened once with the library's per-connection setup (WAL,
/// <c>synchronous=NORMAL</c>, <c>foreign_keys=ON</c>, a 30 s busy timeout, a 16 MiB page cache), every statement prepared
/// once on it and reused, and an in-process lock so concurrent callers take turns (SQLite has one
/// writer anyway). Each call is its own autocommit transaction: one commit per call.
/// </summary>
internal sealed class SqliteRawStore : RawStore
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand?[] _commands = new SqliteCommand?[RawSql.StatementCount];
    private readonly SemaphoreSlim _lock = new(1, 1);

    public SqliteRawStore(string path) : base(PipelineProvider.Sqlite)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        _connection.Open();
        using var setup = _connection.CreateCommand();
        setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA cache_size = -16384;";
        setup.ExecuteNonQuery();
    }

    protected override async ValueTask<DbConnection> EnterAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        return _connection;
    }

    protected override ValueTask LeaveAsync(DbConnection connection)
    {
        _lock.Release();
        return ValueTask.CompletedTask;
    }

    protected override ValueTask<DbCommand> CommandAsync(DbConnection connection, RawStatement statement, CancellationToken cancellationToken)
    {
        var command = _commands[statement.Index];
        if (command is null)
        {
            command = _connection.CreateCommand();
            command.CommandText = statement.TextFor(PipelineProvider.Sqlite);
            foreach (var (name, type) in statement.Parameters)
            {
                command.Parameters.Add(new SqliteParameter("@" + name, type is RawType.Int or RawType.Bool ? SqliteType.Integer : SqliteType.Text));
            }
            command.Prepare();
            _commands[statement.Index] = command;
        }
        return ValueTask.FromResult<DbCommand>(command);
    }

    protected override ValueTask DoneAsync(DbCommand command) => ValueTask.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        foreach (var command in _commands)
        {
            command?.Dispose();
        }
        _connection.Dispose();
        _lock.Dispose();
        return ValueTask.CompletedTask;
    }
}
