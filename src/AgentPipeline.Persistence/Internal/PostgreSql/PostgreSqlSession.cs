using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>
/// A call's connection from Npgsql's pool: a command per statement (Npgsql prepares the frequent
/// ones itself), a batch for group commit with multi-row inserts bound as arrays.
/// </summary>
internal sealed class PostgreSqlSession(PostgreSqlDialect owner, NpgsqlConnection connection)
    : Session(owner, connection)
{
    protected override DbCommand Rent(Sql sql)
    {
        // Inside a transaction of the caller's, the statement runs as it is (its own BEGIN and COMMIT would end the caller's).
        var command = new NpgsqlCommand(sql.Plan != PlanChoice.Auto && Transaction is null ? sql.PlanText(owner) : sql.TextFor(owner), connection);
        foreach (var p in sql.Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(p.Name, PostgreSqlDialect.TypeOf(p.Type)));
        }
        return command;
    }

    protected override void Return(DbCommand command) => command.Dispose();

    public override async Task<BatchResult[]> ExecuteBatchAsync(IReadOnlyList<BatchStatement> statements, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction?)Transaction);
        foreach (var statement in statements)
        {
            var command = new NpgsqlBatchCommand(statement.Sql.TextFor(owner));
            var parameters = statement.Sql.Parameters;
            for (var i = 0; i < parameters.Length; i++)
            {
                command.Parameters.Add(statement.Rows is { } rows
                    ? ArrayParameter(parameters[i], rows, i)
                    : new NpgsqlParameter(parameters[i].Name, PostgreSqlDialect.TypeOf(parameters[i].Type)) { Value = statement.Row![i] });
            }
            batch.BatchCommands.Add(command);
        }
        var results = new BatchResult[statements.Count];
        try
        {
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                // Only the multi-row inserts return rows (their ids), in statement order.
                var next = 0;
                do
                {
                    if (reader.FieldCount == 0)
                    {
                        continue;
                    }
                    while (next < statements.Count && statements[next].Rows is null)
                    {
                        next++;
                    }
                    var ids = new HashSet<Guid>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        ids.Add(reader.GetGuid(0));
                    }
                    results[next] = new BatchResult(ids.Count, ids);
                    next++;
                }
                while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            throw Fail(e);
        }
        for (var i = 0; i < results.Length; i++)
        {
            if (statements[i].Rows is null)
            {
                results[i] = new BatchResult(batch.BatchCommands[i].RecordsAffected, null);
            }
            else if (results[i].InsertedIds is null)
            {
                throw new InvalidOperationException("A multi-row insert returned no result set.");
            }
        }
        return results;
    }

    /// <summary>One column of a multi-row statement: the rows' bound values as a typed array (nulls where DBNull).</summary>
    private static NpgsqlParameter ArrayParameter(Param parameter, IReadOnlyList<object[]> rows, int column)
    {
        object array = parameter.Type switch
        {
            Col.Text or Col.Json => Column<string>(rows, column),
            Col.Int => Column<int?>(rows, column),
            Col.Long => Column<long?>(rows, column),
            Col.Bool => Column<bool?>(rows, column),
            Col.Guid => Column<Guid?>(rows, column),
            Col.Time => Column<DateTimeOffset?>(rows, column),
            _ => throw new InvalidOperationException($"Unknown column type {parameter.Type}."),
        };
        return new NpgsqlParameter(parameter.Name, NpgsqlDbType.Array | PostgreSqlDialect.TypeOf(parameter.Type)) { Value = array };
    }

    /// <summary>One column of every row as an array of <typeparamref name="TElement"/> (a nullable type): DBNull becomes null.</summary>
    private static TElement?[] Column<TElement>(IReadOnlyList<object[]> rows, int column)
    {
        var array = new TElement?[rows.Count];
        for (var r = 0; r < array.Length; r++)
        {
            array[r] = rows[r][column] switch
            {
                TElement value => value,
                DBNull => default,
                var other => throw new InvalidOperationException($"Column {column} holds a {other.GetType()}, not a {typeof(TElement)}."),
            };
        }
        return array;
    }

    protected override async ValueTask<DbTransaction> BeginCoreAsync(CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    // REPEATABLE READ: every statement sees the snapshot taken by the first (READ COMMITTED takes one per statement).
    protected override async ValueTask<DbTransaction> BeginSnapshotCoreAsync(CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    protected override ValueTask ReleaseAsync() => connection.DisposeAsync();
}
