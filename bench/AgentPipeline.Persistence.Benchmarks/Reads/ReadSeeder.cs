using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Internal;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace AgentPipeline.Persistence.Benchmarks.Reads;

/// <summary>
/// Bulk-loads the runs of <see cref="ReadShape"/> straight into the tables, in the store's stored
/// forms, much faster than the API could write them: SQLite in one transaction through prepared
/// multi-row INSERTs; PostgreSQL by binary COPY, one table after another, with foreign-key triggers
/// off for the load (<c>session_replication_role = replica</c>; the rows are consistent by
/// construction), then VACUUM (ANALYZE) and a CHECKPOINT, as autovacuum and the checkpointer would
/// have done on a real database before the reads are timed.
/// </summary>
internal static class ReadSeeder
{
    private const int RowsPerInsert = 64;

    public static Task SeedAsync(BenchDatabase database, int fromRun, int toRun) =>
        database.Provider == PipelineProvider.Sqlite ? SqliteAsync(database.Target, fromRun, toRun) : PostgreSqlAsync(database.Target, fromRun, toRun);

    private static async Task SqliteAsync(string path, int fromRun, int toRun)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -200000;";
            await pragma.ExecuteNonQueryAsync();
        }
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        var inserts = ReadShape.Tables.ToDictionary(t => t, t => new SqliteBulk(connection, transaction, t, ReadShape.Columns[t]));
        for (var run = fromRun; run < toRun; run++)
        {
            ReadShape.Generate(run, null, (table, values) => inserts[table].Add(values));
        }
        foreach (var insert in inserts.Values)
        {
            insert.Flush();
            insert.Dispose();
        }
        await transaction.CommitAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await checkpoint.ExecuteNonQueryAsync();
    }

    /// <summary>Rows buffered into a prepared INSERT of <see cref="RowsPerInsert"/> rows; the rest one by one.</summary>
    private sealed class SqliteBulk : IDisposable
    {
        private readonly SqliteCommand _many;
        private readonly SqliteCommand _one;
        private readonly int _width;
        private readonly List<object?[]> _pending = new(RowsPerInsert);

        public SqliteBulk(SqliteConnection connection, SqliteTransaction transaction, string table, string[] columns)
        {
            _width = columns.Length;
            _many = Command(connection, transaction, table, columns, RowsPerInsert);
            _one = Command(connection, transaction, table, columns, 1);
        }

        private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string table, string[] columns, int rows)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            // Table and column names are the constants of ReadShape, never input.
            var tuples = Enumerable.Range(0, rows).Select(r => "(" + string.Join(", ", columns.Select((_, c) => $"@p{r}_{c}")) + ")");
            command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {string.Join(", ", tuples)}";
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns.Length; c++)
                {
                    command.Parameters.Add(new SqliteParameter($"@p{r}_{c}", null));
                }
            }
            command.Prepare();
            return command;
        }

        public void Add(object?[] values)
        {
            _pending.Add(values);
            if (_pending.Count == RowsPerInsert)
            {
                Run(_many, _pending);
                _pending.Clear();
            }
        }

        public void Flush()
        {
            foreach (var row in _pending)
            {
                Run(_one, [row]);
            }
            _pending.Clear();
        }

        private void Run(SqliteCommand command, List<object?[]> rows)
        {
            var parameters = command.Parameters;
            var k = 0;
            foreach (var row in rows)
            {
                for (var c = 0; c < _width; c++)
                {
                    parameters[k++].Value = Stored(row[c]);
                }
            }
            command.ExecuteNonQuery();
        }

        private static object Stored(object? value) => value switch
        {
            null => DBNull.Value,
            Guid g => g.ToString("D"),
            DateTimeOffset t => DbTime.ToSqlite(t),
            bool b => b ? 1L : 0L,
            _ => value,
        };

        public void Dispose()
        {
            _many.Dispose();
            _one.Dispose();
        }
    }

    private static async Task PostgreSqlAsync(string connectionString, int fromRun, int toRun)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var role = new NpgsqlCommand("SET session_replication_role = replica", connection))
        {
            await role.ExecuteNonQueryAsync();
        }
        foreach (var table in ReadShape.Tables)
        {
            var columns = ReadShape.Columns[table];
            var types = await ColumnTypesAsync(connection, table, columns);
            // Table and column names are the constants of ReadShape, never input.
            await using var importer = await connection.BeginBinaryImportAsync(
                $"COPY agent.{table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)");
            for (var run = fromRun; run < toRun; run++)
            {
                var rows = new List<object?[]>();
                ReadShape.Generate(run, table, (_, values) => rows.Add(values));
                foreach (var row in rows)
                {
                    await importer.StartRowAsync();
                    for (var c = 0; c < row.Length; c++)
                    {
                        if (row[c] is null)
                        {
                            await importer.WriteNullAsync();
                        }
                        else
                        {
                            await importer.WriteAsync(Convert(row[c]!, types[c]), types[c]);
                        }
                    }
                }
            }
            await importer.CompleteAsync();
        }
        await using (var reset = new NpgsqlCommand("RESET session_replication_role", connection))
        {
            await reset.ExecuteNonQueryAsync();
        }
        // VACUUM as well as ANALYZE (a statement of its own: it cannot run in a transaction): a freshly loaded
        // table's first reads set every row's hint bits, and autovacuum would otherwise vacuum the two million steps
        // while the reads are timed, competing for the machine's two cores.
        await using var analyze = new NpgsqlCommand("VACUUM (ANALYZE)", connection);
        analyze.CommandTimeout = 600;
        await analyze.ExecuteNonQueryAsync();
        // And a checkpoint: otherwise the checkpointer spreads the load's gigabytes of dirty pages over the next
        // minutes, while the reads are timed.
        await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection);
        checkpoint.CommandTimeout = 600;
        await checkpoint.ExecuteNonQueryAsync();
    }

    private static object Convert(object value, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Integer => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
        NpgsqlDbType.Bigint => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Each column's type as the database has it (JSON columns are json or jsonb depending on the migrations applied).</summary>
    private static async Task<NpgsqlDbType[]> ColumnTypesAsync(NpgsqlConnection connection, string table, string[] columns)
    {
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'agent' AND table_name = @t", connection);
        command.Parameters.AddWithValue("t", table);
        var types = new Dictionary<string, string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                types[reader.GetString(0)] = reader.GetString(1);
            }
        }
        return [.. columns.Select(c => types[c] switch
        {
            "uuid" => NpgsqlDbType.Uuid,
            "text" => NpgsqlDbType.Text,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "boolean" => NpgsqlDbType.Boolean,
            "json" => NpgsqlDbType.Json,
            "jsonb" => NpgsqlDbType.Jsonb,
            var other => throw new InvalidOperationException($"{table}.{c} has type {other}, which the seeder does not write."),
        })];
    }
}
