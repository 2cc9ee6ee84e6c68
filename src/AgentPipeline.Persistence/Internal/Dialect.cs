using System.Data.Common;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// What differs between the two providers: how a connection is had, how a value is bound and read
/// back, and how a provider error becomes one of ours. The SQL itself is shared.
/// </summary>
internal abstract class Dialect : IAsyncDisposable
{
    public abstract PipelineProvider Kind { get; }

    /// <summary>The largest text or JSON value, in UTF-8 bytes, a call may store.</summary>
    public long MaxValueBytes { get; init; } = PipelineDbOptions.DefaultMaxValueBytes;

    /// <summary>Schema that qualifies every table: <c>agent</c> on PostgreSQL, <c>main</c> on SQLite.</summary>
    public abstract string Schema { get; }

    public string Resolve(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\{forshareof:(\w+)\}",
            m => Kind == PipelineProvider.PostgreSql ? " FOR SHARE OF " + m.Groups[1].Value : "")
        .Replace("{s}", Schema, StringComparison.Ordinal)
        .Replace("{forupdate}", Kind == PipelineProvider.PostgreSql ? " FOR UPDATE" : "", StringComparison.Ordinal)
        .Replace("{forshare}", Kind == PipelineProvider.PostgreSql ? " FOR SHARE" : "", StringComparison.Ordinal)
        // memory_records.seq: an identity column on PostgreSQL; on SQLite the single writer numbers it.
        .Replace("{seqcol}", Kind == PipelineProvider.Sqlite ? "seq, " : "", StringComparison.Ordinal)
        .Replace("{seqval}", Kind == PipelineProvider.Sqlite ? "(SELECT COALESCE(MAX(m.seq), 0) + 1 FROM main.memory_records m), " : "", StringComparison.Ordinal);

    /// <summary>
    /// A connection for one call. <paramref name="write"/> sessions on SQLite are serialized within
    /// the process, so writers queue in memory instead of spinning on SQLITE_BUSY.
    /// </summary>
    public abstract ValueTask<Session> OpenAsync(bool write, CancellationToken cancellationToken);

    public abstract object ToDb(Col type, object? value);

    /// <summary>
    /// Checks the size cap and converts each value for the provider: done by the caller before
    /// any I/O, so a value over the cap fails the call with nothing written and no connection taken.
    /// </summary>
    public object[] Bind(Sql sql, object?[] args)
    {
        if (args.Length != sql.Parameters.Length)
        {
            throw new InvalidOperationException($"Statement expects {sql.Parameters.Length} values, got {args.Length}.");
        }
        var bound = new object[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            ValueLimit.Check(sql.Parameters[i].Name, args[i], MaxValueBytes);
            bound[i] = ToDb(sql.Parameters[i].Type, args[i]);
        }
        return bound;
    }

    public abstract object? FromDb(DbDataReader reader, int ordinal, Col type);

    // Typed readers for hot reads that map rows directly, without boxing them into object arrays.
    public abstract Guid ReadGuid(DbDataReader reader, int ordinal);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public string ReadText(DbDataReader reader, int ordinal) => DbText.Decode(reader.GetString(ordinal));

    /// <summary>A boolean: native on PostgreSQL, an integer 0/1 on SQLite.</summary>
    public bool ReadBool(DbDataReader reader, int ordinal) => Kind == PipelineProvider.Sqlite ? reader.GetInt64(ordinal) != 0 : reader.GetBoolean(ordinal);

    /// <summary>Turns a provider exception into a <see cref="PipelineDatabaseException"/>; anything else is returned as is.</summary>
    public abstract Exception Translate(Exception exception);

    /// <summary>
    /// The provider's error in <paramref name="exception"/> or what it wraps: EF Core passes most
    /// through as they are, but on PostgreSQL a transient one (a lost connection, a timeout) arrives
    /// inside an <see cref="InvalidOperationException"/> from its execution strategy.
    /// </summary>
    public static System.Data.Common.DbException? ProviderError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException provider)
            {
                return provider;
            }
            if (e is PipelinePersistenceException)
            {
                return null; // already ours
            }
        }
        return null;
    }

    public abstract ValueTask DisposeAsync();
}
