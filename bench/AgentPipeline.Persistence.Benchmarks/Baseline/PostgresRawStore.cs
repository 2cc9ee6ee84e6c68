using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace AgentPipeline.Persistence.Benchmarks.Baseline;

/// <summary>
/// The PostgreSQL baseline, the way Npgsql's documentation writes it: one
/// <see cref="NpgsqlDataSource"/>, a pooled connection per call, a command with typed parameters
/// that is explicitly prepared (after the first call on a physical connection, preparing is a lookup,
/// not a round trip). Each call is its own autocommit transaction: one commit per call.
/// </summary>
internal sealed class PostgresRawStore : RawStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string[] _texts = new string[RawSql.StatementCount];

    // The same pool setting as the library (which sets it because it changes no session state):
    // without it every call first runs Npgsql's seven-statement connection reset, about 100 µs,
    // and the comparison would measure that instead of the call.
    public PostgresRawStore(string connectionString) : base(PipelineProvider.PostgreSql) =>
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString);

    protected override async ValueTask<DbConnection> EnterAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override ValueTask LeaveAsync(DbConnection connection) => connection.DisposeAsync();

    protected override async ValueTask<DbCommand> CommandAsync(DbConnection connection, RawStatement statement, CancellationToken cancellationToken)
    {
        var text = _texts[statement.Index] ??= statement.TextFor(PipelineProvider.PostgreSql);
        var command = new NpgsqlCommand(text, (NpgsqlConnection)connection);
        foreach (var (name, type) in statement.Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, type switch
            {
                RawType.Text => NpgsqlDbType.Text,
                RawType.Int => NpgsqlDbType.Integer,
                RawType.Bool => NpgsqlDbType.Boolean,
                RawType.Uuid => NpgsqlDbType.Uuid,
                RawType.Time => NpgsqlDbType.TimestampTz,
                _ => NpgsqlDbType.Json,
            }));
        }
        await command.PrepareAsync(cancellationToken);
        return command;
    }

    protected override ValueTask DoneAsync(DbCommand command) => command.DisposeAsync();

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
