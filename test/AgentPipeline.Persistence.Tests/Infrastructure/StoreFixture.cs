using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>
/// One migrated database per test class, on one provider. Tests open their own
/// <see cref="PipelineDb"/> handles on it (with their own clocks) and read rows back with raw SQL,
/// never only through the store's own API.
/// </summary>
public abstract class StoreFixture : IAsyncLifetime
{
    private readonly List<PipelineDb> _opened = [];

    public abstract PipelineProvider Provider { get; }

    /// <summary>What <see cref="PipelineDb.Open(string, TimeProvider?)"/> takes for this database.</summary>
    public string Target { get; protected set; } = "";

    public async Task InitializeAsync()
    {
        Target = await CreateDatabaseAsync();
        await using var db = PipelineDb.Open(Target);
        await db.MigrateAsync();
    }

    /// <summary>A fresh, empty (unmigrated) database of this provider.</summary>
    public abstract Task<string> CreateDatabaseAsync();

    public abstract DbConnection OpenRawConnection(string? target = null);

    /// <summary>A handle on this fixture's database, closed with the fixture.</summary>
    public PipelineDb Open(TimeProvider? clock = null)
    {
        var db = PipelineDb.Open(Target, clock);
        lock (_opened)
        {
            _opened.Add(db);
        }
        return db;
    }

    /// <summary>A table's name as raw SQL must write it.</summary>
    public string T(string table) => Provider == PipelineProvider.PostgreSql ? "agent." + table : table;

    /// <summary>Runs raw SQL with <c>@name</c> parameters; uuids are bound the way the provider stores them.</summary>
    public async Task<List<Dictionary<string, object?>>> QueryAsync(string sql, params (string Name, object? Value)[] args)
    {
        await using var connection = OpenRawConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value switch
            {
                null => DBNull.Value,
                Guid g when Provider == PipelineProvider.Sqlite => g.ToString("D"),
                _ => value,
            };
            command.Parameters.Add(p);
        }
        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Raw SQL on another database of this provider (no parameters); the rows it returns.</summary>
    public async Task<List<object?[]>> QueryAsyncOn(string target, string sql)
    {
        await using var connection = OpenRawConnection(target);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }
        return rows;
    }

    public async Task<Dictionary<string, object?>> RowAsync(string table, object id)
    {
        var rows = await QueryAsync($"SELECT * FROM {T(table)} WHERE id = @id", ("id", id));
        return Assert.Single(rows);
    }

    /// <summary>Rows in all nine tables together: a refused call must leave it unchanged.</summary>
    public async Task<long> TotalRowsAsync()
    {
        long total = 0;
        foreach (var table in new[] { "sandboxes", "sandbox_snapshots", "feature_runs", "phase_results", "agent_invocations", "agent_steps", "tool_calls", "memory_records", "cta_events" })
        {
            total += await CountAsync(table);
        }
        return total;
    }

    public async Task<long> CountAsync(string table, string where = "1 = 1", params (string Name, object? Value)[] args)
    {
        var rows = await QueryAsync($"SELECT COUNT(*) AS n FROM {T(table)} WHERE {where}", args);
        return Convert.ToInt64(rows[0]["n"], CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = OpenRawConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var db in _opened)
        {
            await db.DisposeAsync();
        }
    }

    // Raw values differ by provider (text vs uuid, text vs timestamptz, integer vs boolean);
    // these bring them to what a user means.
    public static Guid? AsGuid(object? v) => v switch { null => null, Guid g => g, string s => Guid.Parse(s), _ => throw new InvalidCastException(v.GetType().Name) };

    public static DateTimeOffset? AsTime(object? v) => v switch
    {
        null => null,
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        string s => DateTimeOffset.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new InvalidCastException(v.GetType().Name),
    };

    public static bool? AsBool(object? v) => v switch { null => null, bool b => b, long l => l != 0, int i => i != 0, _ => throw new InvalidCastException(v.GetType().Name) };

    public static long? AsLong(object? v) => v is null ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    public static JsonElement? AsJson(object? v) => v is null ? null : JsonDocument.Parse((string)v).RootElement.Clone();
}
