using System.Data.Common;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// What differs between the two providers: how a connection is had, how a value is bound and read
/// back, and how a provider error becomes one of ours. The SQL itself is shared.
/// </summary>
internal abstract class Dialect : IAsyncDisposable
{
    /// <summary>The provider's capabilities, given by name (see each property).</summary>
    protected Dialect(bool rowLocks, bool numbersMemorySeq, bool retriesTransientErrors, bool completesSynchronously,
        bool batchIsTransaction, bool multiRowInserts)
    {
        RowLocks = rowLocks;
        NumbersMemorySeq = numbersMemorySeq;
        RetriesTransientErrors = retriesTransientErrors;
        CompletesSynchronously = completesSynchronously;
        BatchIsTransaction = batchIsTransaction;
        MultiRowInserts = multiRowInserts;
    }

    public abstract PipelineProvider Kind { get; }

    /// <summary>The largest text or JSON value, in UTF-8 bytes, a call may store.</summary>
    public long MaxValueBytes { get; init; } = PipelineDbOptions.DefaultMaxValueBytes;

    /// <summary>Schema that qualifies every table: <c>agent</c> on PostgreSQL, <c>main</c> on SQLite.</summary>
    public abstract string Schema { get; }

    /// <summary>
    /// Whether statements take row locks (<c>FOR UPDATE</c>, <c>FOR SHARE</c>): PostgreSQL's writers run
    /// side by side; on SQLite a write transaction holds the whole file, so there is nothing to lock.
    /// </summary>
    public bool RowLocks { get; }

    /// <summary>
    /// Whether the store numbers <c>memory_records.seq</c> itself: on SQLite the single writer takes
    /// MAX + 1 inside its transaction, so seq follows commit order and a read can order by it. On
    /// PostgreSQL it is an identity column, not in commit order under concurrent writers, and reads
    /// are put in order by <see cref="MemoryOrder"/>.
    /// </summary>
    public bool NumbersMemorySeq { get; }

    /// <summary>
    /// Whether a call that failed transiently is run again (see <see cref="Writing.WriteExecutor"/>):
    /// on PostgreSQL a lost connection or a conflict; SQLite's transient condition, a busy file, is
    /// already waited out by its busy timeout.
    /// </summary>
    public bool RetriesTransientErrors { get; }

    /// <summary>
    /// Whether calls complete synchronously (an in-process database): the group-commit flusher then
    /// gets a thread of its own rather than a place on the thread pool.
    /// </summary>
    public bool CompletesSynchronously { get; }

    /// <summary>
    /// Whether a batch of statements sent together is one transaction by itself (PostgreSQL: the
    /// statements up to the batch's single Sync); otherwise group commit wraps it in BEGIN … COMMIT.
    /// </summary>
    public bool BatchIsTransaction { get; }

    /// <summary>Whether one statement can insert many rows from array parameters (PostgreSQL <c>unnest</c>).</summary>
    public bool MultiRowInserts { get; }

    public string Resolve(string template) => System.Text.RegularExpressions.Regex.Replace(template, @"\{forshareof:(\w+)\}",
            m => RowLocks ? " FOR SHARE OF " + m.Groups[1].Value : "")
        .Replace("{s}", Schema, StringComparison.Ordinal)
        .Replace("{forupdate}", RowLocks ? " FOR UPDATE" : "", StringComparison.Ordinal)
        .Replace("{forshare}", RowLocks ? " FOR SHARE" : "", StringComparison.Ordinal)
        .Replace("{notifycta}", Kind == PipelineProvider.PostgreSql ? Waiting.CtaWatch.ReturningNotify : "", StringComparison.Ordinal)
        .Replace("{seqcol}", NumbersMemorySeq ? "seq, " : "", StringComparison.Ordinal)
        .Replace("{seqval}", NumbersMemorySeq ? "(SELECT COALESCE(MAX(m.seq), 0) + 1 FROM " + Schema + ".memory_records m), " : "", StringComparison.Ordinal);

    /// <summary>
    /// A connection for one call. <paramref name="write"/> sessions on SQLite are serialized within
    /// the process, so writers queue in memory instead of spinning on SQLITE_BUSY.
    /// </summary>
    public abstract ValueTask<Session> OpenAsync(bool write, CancellationToken cancellationToken);

    /// <summary>
    /// Called on a thread of the store's own that may block (the group-commit flusher's): a dialect
    /// whose calls complete synchronously then waits for its connection on it rather than in a
    /// continuation queued on the thread pool. Nothing by default.
    /// </summary>
    public virtual void MayBlockThisThread()
    {
    }

    public abstract object ToDb(Col type, object? value);

    /// <summary>Whether pieces of shared values are stored LZ4-packed when that saves (SQLite: <see cref="Content.PackedPiece"/>).</summary>
    public virtual bool PacksPieces => false;

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

    public object? FromDb(DbDataReader reader, int ordinal, Col type) =>
        reader.IsDBNull(ordinal)
            ? null
            : type switch
            {
                Col.Text => ReadText(reader, ordinal),
                Col.Int => reader.GetInt32(ordinal),
                Col.Long => reader.GetInt64(ordinal),
                Col.Bool => ReadBool(reader, ordinal),
                Col.Guid => ReadGuid(reader, ordinal),
                Col.Time => ReadTime(reader, ordinal),
                Col.Json => DbJson.Parse(reader.GetString(ordinal)),
                _ => throw new InvalidOperationException($"Unknown column type {type}."),
            };

    // Typed readers for hot reads that map rows directly, without boxing them into object arrays.
    public abstract Guid ReadGuid(DbDataReader reader, int ordinal);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public string ReadText(DbDataReader reader, int ordinal) => DbText.Decode(reader.GetString(ordinal));

    /// <summary>A JSON column as the caller wrote it (<see cref="DbJson"/>'s escapes undone).</summary>
    public virtual System.Text.Json.JsonElement ReadJson(DbDataReader reader, int ordinal) => DbJson.Parse(reader.GetString(ordinal));

    /// <summary>A text column's stored text as UTF-8, the store's escapes not undone.</summary>
    public virtual byte[] ReadUtf8(DbDataReader reader, int ordinal) => System.Text.Encoding.UTF8.GetBytes(reader.GetString(ordinal));

    /// <summary>The same, written into <paramref name="destination"/> (one <c>GetSpan</c>, one <c>Advance</c>).</summary>
    public virtual void CopyUtf8(DbDataReader reader, int ordinal, System.Buffers.IBufferWriter<byte> destination)
    {
        var bytes = ReadUtf8(reader, ordinal);
        bytes.CopyTo(destination.GetSpan(bytes.Length));
        destination.Advance(bytes.Length);
    }

    /// <summary>A boolean: native on PostgreSQL, an integer 0/1 on SQLite.</summary>
    public abstract bool ReadBool(DbDataReader reader, int ordinal);

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

    /// <summary>
    /// False only when the database certainly is not there yet and opening a connection would
    /// create it (a SQLite file not yet made): reading the migrations history then finds none.
    /// </summary>
    public virtual bool DatabaseExists => true;

    /// <summary>
    /// Runs <paramref name="migrate"/> so that processes migrating at once take turns. The base
    /// relies on the database's own serialization (on SQLite EF Core's <c>__EFMigrationsLock</c> and
    /// the file's write lock); a dialect that holds a lock of its own asks
    /// <paramref name="stillMissing"/> again under it, since whoever held it before may have done the work.
    /// </summary>
    public virtual Task MigrateExclusivelyAsync(Func<CancellationToken, Task<bool>> stillMissing, Func<CancellationToken, Task> migrate,
        CancellationToken cancellationToken) => migrate(cancellationToken);

    /// <summary>An EF Core context on this database, for migrations.</summary>
    public abstract Schema.PipelineDbContext CreateDbContext();

    public abstract ValueTask DisposeAsync();
}
