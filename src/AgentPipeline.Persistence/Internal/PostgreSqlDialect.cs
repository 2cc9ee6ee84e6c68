using System.Data.Common;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// PostgreSQL through one <see cref="NpgsqlDataSource"/> (Npgsql's pool). Statements are prepared
/// by Npgsql's automatic preparation, which keeps them per physical connection.
/// </summary>
internal sealed class PostgreSqlDialect : Dialect
{
    public PostgreSqlDialect(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        DataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    public NpgsqlDataSource DataSource { get; }

    public override PipelineProvider Kind => PipelineProvider.PostgreSql;

    public override string Schema => "agent";

    public override async ValueTask<Session> OpenAsync(bool write, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new PostgreSqlSession(this, connection);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    public override object ToDb(Col type, object? value) => value switch
    {
        null => DBNull.Value,
        JsonElement json => DbJson.ToText(json),
        string text => DbText.Encode(text),
        _ => value,
    };

    public override object? FromDb(DbDataReader reader, int ordinal, Col type) =>
        reader.IsDBNull(ordinal)
            ? null
            : type switch
            {
                Col.Text => DbText.Decode(reader.GetString(ordinal)),
                Col.Int => reader.GetInt32(ordinal),
                Col.Long => reader.GetInt64(ordinal),
                Col.Bool => reader.GetBoolean(ordinal),
                Col.Guid => reader.GetGuid(ordinal),
                Col.Time => reader.GetFieldValue<DateTimeOffset>(ordinal),
                Col.Json => DbJson.Parse(reader.GetString(ordinal)),
                _ => throw new InvalidOperationException($"Unknown column type {type}."),
            };

    public override Guid ReadGuid(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override Exception Translate(Exception exception)
    {
        switch (exception)
        {
            case PostgresException pg:
                var transient = pg.IsTransient || pg.SqlState is "40001" or "40P01" or "55P03";
                return new PipelineDatabaseException($"PostgreSQL error {pg.SqlState}: {pg.MessageText}", pg, transient);
            case NpgsqlException npgsql:
                return new PipelineDatabaseException(
                    npgsql.IsTransient ? $"PostgreSQL is unreachable or the connection was lost: {npgsql.Message}" : $"PostgreSQL: {npgsql.Message}",
                    npgsql, npgsql.IsTransient);
            default:
                return exception;
        }
    }

    public override ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private static NpgsqlDbType TypeOf(Col type) => type switch
    {
        Col.Text => NpgsqlDbType.Text,
        Col.Int => NpgsqlDbType.Integer,
        Col.Long => NpgsqlDbType.Bigint,
        Col.Bool => NpgsqlDbType.Boolean,
        Col.Guid => NpgsqlDbType.Uuid,
        Col.Time => NpgsqlDbType.TimestampTz,
        Col.Json => NpgsqlDbType.Jsonb,
        _ => throw new InvalidOperationException($"Unknown column type {type}."),
    };

    private sealed class PostgreSqlSession(PostgreSqlDialect owner, NpgsqlConnection connection)
        : Session(owner, connection)
    {
        protected override DbCommand Rent(Sql sql)
        {
            var command = new NpgsqlCommand(sql.TextFor(owner), connection);
            foreach (var p in sql.Parameters)
            {
                command.Parameters.Add(new NpgsqlParameter(p.Name, TypeOf(p.Type)));
            }
            return command;
        }

        protected override void Return(DbCommand command) => command.Dispose();

        public override async Task<int[]> ExecuteBatchAsync(IReadOnlyList<(Sql Sql, object?[] Args)> statements, CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction?)Transaction);
            foreach (var (sql, args) in statements)
            {
                var bound = Bind(sql, args);
                var command = new NpgsqlBatchCommand(sql.TextFor(owner));
                for (var i = 0; i < bound.Length; i++)
                {
                    command.Parameters.Add(new NpgsqlParameter(sql.Parameters[i].Name, TypeOf(sql.Parameters[i].Type)) { Value = bound[i] });
                }
                batch.BatchCommands.Add(command);
            }
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DbException or OperationCanceledException)
            {
                throw Fail(e);
            }
            var affected = new int[batch.BatchCommands.Count];
            for (var i = 0; i < affected.Length; i++)
            {
                affected[i] = batch.BatchCommands[i].RecordsAffected;
            }
            return affected;
        }

        protected override async ValueTask<DbTransaction> BeginCoreAsync(CancellationToken cancellationToken) =>
            await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

        protected override ValueTask ReleaseAsync() => connection.DisposeAsync();
    }
}
