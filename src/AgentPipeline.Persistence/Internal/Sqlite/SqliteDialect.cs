using AgentPipeline.Persistence.Schema;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite with our own small pool: each pooled connection is opened
/// once with its per-connection pragmas (synchronous, foreign_keys, busy_timeout are not stored in
/// the file) and keeps its prepared commands, so a call costs one bind and one step.
/// </summary>
internal sealed partial class SqliteDialect : Dialect
{
    private readonly string _connectionString;

    // What differs from PostgreSQL (see each on Dialect): one writer at a time, in process.
    public SqliteDialect(string connectionString, TimeSpan busyTimeout, int maxConnections, bool directCalls)
        : base(rowLocks: false, numbersMemorySeq: true, retriesTransientErrors: false, completesSynchronously: true,
            batchIsTransaction: false, multiRowInserts: false)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        };
        if (builder.Mode == SqliteOpenMode.ReadWrite)
        {
            builder.Mode = SqliteOpenMode.ReadWriteCreate;
        }
        _memory = builder.Mode == SqliteOpenMode.Memory;
        _connectionString = builder.ToString();
        DataSource = builder.DataSource;
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
        DirectCalls = directCalls;
    }

    public string DataSource { get; }

    /// <summary>
    /// False when the data source names a file that is not there yet (opening a connection would
    /// create it): reading the migrations history then finds none without creating the file.
    /// </summary>
    public bool FileExists =>
        string.IsNullOrEmpty(DataSource) || DataSource == ":memory:" || DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
        || _memory || File.Exists(DataSource);

    private readonly bool _memory;

    public string ConnectionString => _connectionString;

    /// <summary>
    /// Whether statements run through <see cref="SqliteNative"/> (given when the handle opens: only
    /// where it is available) or through SQLitePCLRaw's wrappers.
    /// </summary>
    public bool DirectCalls { get; }

    public override PipelineProvider Kind => PipelineProvider.Sqlite;

    public override string Schema => "main";

    public override bool DatabaseExists => FileExists;

    public override PipelineDbContext CreateDbContext() => ContextFactory.CreateSqlite(ConnectionString);

    public override Exception Translate(Exception exception) =>
        exception is SqliteException e ? SqliteErrors.Translate(e) : exception;

    public override ValueTask DisposeAsync()
    {
        _disposed = true;
        lock (_checkpointRequests)
        {
            Monitor.Pulse(_checkpointRequests);
        }
        lock (_idle)
        {
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }
        return ValueTask.CompletedTask;
    }
}
