using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite with our own small pool: each pooled connection is opened
/// once with its per-connection pragmas (synchronous, foreign_keys, busy_timeout are not stored in
/// the file) and keeps its prepared commands, so a call costs one bind and one step.
/// </summary>
internal sealed class SqliteDialect : Dialect
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    // Idle connections, most recently used on top (its pages are warm); a lock, not a
    // ConcurrentBag, because a bag's per-thread lists make a call that resumed on another thread steal.
    private readonly Stack<PooledConnection> _idle = new();
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _walChecked;

    // Checkpoints run in the background (see Release): write sessions since the last one, and whether one runs.
    internal const int CheckpointEvery = 256; // 64 measured 8-10 % fewer rows/s under 16 writers (more pages copied twice)
    private int _writesSinceCheckpoint;
    private int _checkpointing;
    private bool _disposed;

    public SqliteDialect(string connectionString, TimeSpan busyTimeout, int maxConnections)
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
    /// Statements run through <see cref="SqliteNative"/> when it is available; otherwise (and when a
    /// test turns this off before the first connection) through SQLitePCLRaw's wrappers.
    /// </summary>
    internal bool DirectCalls { get; set; } = SqliteNative.Available;

    public override PipelineProvider Kind => PipelineProvider.Sqlite;

    public override string Schema => "main";

    /// <summary>
    /// Set on a thread of our own that may block (the group-commit flusher's): it waits for a
    /// connection and the write gate synchronously, so that when a lone writer or the checkpoint
    /// holds the gate its batch goes on on that thread, not in a continuation queued behind the
    /// very callers it serves on a busy thread pool.
    /// </summary>
    [ThreadStatic]
    internal static bool BlockingThread;

    public override async ValueTask<Session> OpenAsync(bool write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var blocking = BlockingThread;
        if (blocking)
        {
            _slots.Wait(cancellationToken);
        }
        else
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var gated = false;
        try
        {
            if (write)
            {
                if (blocking)
                {
                    _writeGate.Wait(cancellationToken);
                }
                else
                {
                    await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                gated = true;
            }
            PooledConnection? idle;
            lock (_idle)
            {
                _idle.TryPop(out idle);
            }
            var pooled = idle ?? Create();
            return new SqliteSession(this, pooled, gated);
        }
        catch
        {
            if (gated)
            {
                _writeGate.Release();
            }
            _slots.Release();
            throw;
        }
    }

    private PooledConnection Create()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            if (Interlocked.Exchange(ref _walChecked, 1) == 0)
            {
                // journal_mode is stored in the file; setting it once per handle is enough.
                command.CommandText = "PRAGMA journal_mode = WAL;";
                command.ExecuteNonQuery();
            }
            // These live on the connection, not the file: every pooled connection needs them.
            // wal_autocheckpoint = 0: a commit never stops to copy the WAL into the database file
            // and fsync it; Checkpoint does that beside the writer (see Release).
            command.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA wal_autocheckpoint = 0;");
            command.ExecuteNonQuery();
            return new PooledConnection(connection, DirectCalls);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw Translate(e);
        }
    }

    internal void Release(PooledConnection connection, bool gated, bool broken)
    {
        if (broken || _disposed)
        {
            connection.Dispose();
        }
        else
        {
            lock (_idle)
            {
                _idle.Push(connection);
            }
        }
        if (gated)
        {
            _writeGate.Release();
        }
        _slots.Release();
        if (gated && Interlocked.Increment(ref _writesSinceCheckpoint) >= CheckpointEvery
            && Interlocked.CompareExchange(ref _checkpointing, 1, 0) == 0)
        {
            Volatile.Write(ref _writesSinceCheckpoint, 0);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            LastCheckpoint = done.Task;
            StartCheckpoint(done);
        }
    }

    /// <summary>WAL frames (4 KB pages) past which a checkpoint makes sure the WAL starts over: about 32 MB.</summary>
    internal const long RestartFrames = 8192;

    /// <summary>One PASSIVE checkpoint; returns the frames in the WAL.</summary>
    private static long CheckpointOnce(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        // busy, frames in the WAL, frames copied (-1, -1 when not in WAL mode).
        return reader.Read() ? reader.GetInt64(1) : 0;
    }

    /// <summary>
    /// Hands a checkpoint to this handle's checkpoint thread (started on first use). A thread of its
    /// own, not the thread pool: callers busy on every pool thread must not hold it back while the
    /// WAL grows.
    /// </summary>
    private void StartCheckpoint(TaskCompletionSource done)
    {
        lock (_checkpointRequests)
        {
            _checkpointRequests.Enqueue(done);
            if (_checkpointThread is null)
            {
                _checkpointThread = new Thread(CheckpointThread) { IsBackground = true, Name = "AgentPipeline checkpoint" };
                _checkpointThread.Start();
            }
            Monitor.Pulse(_checkpointRequests);
        }
    }

    private void CheckpointThread()
    {
        while (true)
        {
            TaskCompletionSource done;
            lock (_checkpointRequests)
            {
                while (_checkpointRequests.Count == 0)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    Monitor.Wait(_checkpointRequests);
                }
                done = _checkpointRequests.Dequeue();
            }
            try
            {
                Checkpoint();
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                // The handle is closing under it; an exception must not end this thread (nor the process).
            }
            finally
            {
                done.TrySetResult();
            }
        }
    }

    private readonly Queue<TaskCompletionSource> _checkpointRequests = new();
    private Thread? _checkpointThread;

    /// <summary>The most recent background checkpoint (for tests).</summary>
    internal Task? LastCheckpoint { get; private set; }

    /// <summary>
    /// Copies the WAL's committed pages into the database file (a PASSIVE checkpoint), on a pooled
    /// connection of its own and without the write gate: SQLite lets it run while the writer goes
    /// on, so the copy and its fsyncs no longer stall one commit in every thousand pages as
    /// SQLite's automatic checkpoint does. Every <see cref="CheckpointEvery"/> write transactions; at most one at a time. A
    /// failure (a full disk, say) is left for the writers to meet and report; the next one tries again.
    /// Runs on the checkpoint thread (see <see cref="StartCheckpoint"/>).
    /// </summary>
    private void Checkpoint()
    {
        try
        {
            if (_disposed)
            {
                return;
            }
            _slots.Wait();
            PooledConnection? pooled = null;
            var broken = false;
            try
            {
                lock (_idle)
                {
                    _idle.TryPop(out pooled);
                }
                pooled ??= Create();
                if (CheckpointOnce(pooled.Connection) >= RestartFrames)
                {
                    // SQLite starts the WAL over only when a write transaction begins with every
                    // frame copied; under steady writing a checkpoint beside the writer never sees
                    // that moment, and the WAL would grow without end. So when it is this large,
                    // copy the last frames with this process's writers held back (only the frames
                    // added since the pass above): the next write transaction starts it over.
                    _writeGate.Wait();
                    try
                    {
                        CheckpointOnce(pooled.Connection);
                    }
                    finally
                    {
                        _writeGate.Release();
                    }
                }
            }
            catch (Exception e) when (e is SqliteException or PipelineDatabaseException)
            {
                broken = true;
            }
            finally
            {
                if (pooled is not null)
                {
                    Release(pooled, gated: false, broken);
                }
                else
                {
                    _slots.Release();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    public override object ToDb(Col type, object? value) => value is null
        ? DBNull.Value
        : type switch
        {
            Col.Text => DbText.Encode((string)value),
            Col.Guid => ((Guid)value).ToString("D"),
            Col.Time => DbTime.ToSqlite((DateTimeOffset)value),
            Col.Json => DbJson.ToText((JsonElement)value),
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
                Col.Bool => reader.GetInt64(ordinal) != 0,
                Col.Guid => Guid.Parse(reader.GetString(ordinal)),
                Col.Time => DbTime.FromSqlite(reader.GetString(ordinal)),
                Col.Json => DbJson.Parse(reader.GetString(ordinal)),
                _ => throw new InvalidOperationException($"Unknown column type {type}."),
            };

    public override Guid ReadGuid(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => DbTime.FromSqlite(reader.GetString(ordinal));

    public override Exception Translate(Exception exception)
    {
        if (exception is not SqliteException e)
        {
            return exception;
        }
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), primary codes; the rest are not worth repeating.
        var primary = e.SqliteErrorCode & 0xFF;
        if (primary == 1 && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return new SchemaMissingException(SchemaMissingException.MissingMessage, e);
        }
        if (primary == 1 && (e.Message.Contains("no such column", StringComparison.Ordinal) || e.Message.Contains("has no column named", StringComparison.Ordinal)))
        {
            return new SchemaMissingException(SchemaMissingException.OutdatedMessage, e);
        }
        var transient = primary is 5 or 6;
        var what = primary switch
        {
            5 or 6 => "the database file is busy",
            8 => "the database file is read-only",
            13 => "the disk is full",
            11 or 26 => "the file is not a usable pipeline database",
            14 => "the database file cannot be opened",
            _ => "a SQLite error occurred",
        };
        return new PipelineDatabaseException($"SQLite: {what} (error {e.SqliteErrorCode}: {e.Message})", e, transient);
    }

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

    /// <summary>A statement prepared through the C API, with each parameter's position.</summary>
    internal sealed class RawStatement(sqlite3_stmt handle, int[] indexes)
    {
        public sqlite3_stmt Handle { get; } = handle;

        /// <summary>For each of <see cref="Sql.Parameters"/>, its 1-based position in the statement.</summary>
        public int[] Indexes { get; } = indexes;

        public static RawStatement Prepare(sqlite3 db, Sql sql, Dialect dialect)
        {
            var rc = raw.sqlite3_prepare_v2(db, sql.TextFor(dialect), out var stmt);
            SqliteException.ThrowExceptionForRC(rc, db);
            var indexes = new int[sql.Parameters.Length];
            for (var i = 0; i < indexes.Length; i++)
            {
                indexes[i] = raw.sqlite3_bind_parameter_index(stmt, "@" + sql.Parameters[i].Name);
                if (indexes[i] == 0)
                {
                    stmt.Dispose();
                    throw new InvalidOperationException($"Statement has no parameter @{sql.Parameters[i].Name}.");
                }
            }
            return new RawStatement(stmt, indexes);
        }
    }

    /// <summary>The few statement calls of <see cref="PooledConnection"/>, made either way (a struct each, so no cost).</summary>
    internal interface IStatementCalls
    {
        int BindText(RawStatement statement, int index, string text);

        int BindInt64(RawStatement statement, int index, long value);

        int Step(RawStatement statement);

        int Changes(sqlite3 db);

        /// <summary>Resets the statement and sets every parameter back to NULL.</summary>
        void Done(RawStatement statement);
    }

    /// <summary>Direct calls (<see cref="SqliteNative"/>).</summary>
    internal readonly struct NativeCalls : IStatementCalls
    {
        public int BindText(RawStatement statement, int index, string text) => SqliteNative.BindText(statement.Handle.DangerousGetHandle(), index, text);

        public int BindInt64(RawStatement statement, int index, long value) => SqliteNative.BindInt64(statement.Handle.DangerousGetHandle(), index, value);

        public int Step(RawStatement statement) => SqliteNative.Step(statement.Handle.DangerousGetHandle());

        public int Changes(sqlite3 db) => SqliteNative.Changes(db.DangerousGetHandle());

        public void Done(RawStatement statement)
        {
            SqliteNative.Reset(statement.Handle.DangerousGetHandle());
            SqliteNative.ClearBindings(statement.Handle.DangerousGetHandle());
        }
    }

    /// <summary>SQLitePCLRaw's wrappers, when the direct calls are not available.</summary>
    internal readonly struct WrapperCalls : IStatementCalls
    {
        public int BindText(RawStatement statement, int index, string text) => raw.sqlite3_bind_text(statement.Handle, index, text);

        public int BindInt64(RawStatement statement, int index, long value) => raw.sqlite3_bind_int64(statement.Handle, index, value);

        public int Step(RawStatement statement) => raw.sqlite3_step(statement.Handle);

        public int Changes(sqlite3 db) => raw.sqlite3_changes(db);

        public void Done(RawStatement statement)
        {
            raw.sqlite3_reset(statement.Handle);
            raw.sqlite3_clear_bindings(statement.Handle);
        }
    }

    private sealed class SqliteSession(SqliteDialect owner, PooledConnection pooled, bool gated)
        : Session(owner, pooled.Connection)
    {
        private bool _released;

        public override Task<int> ExecuteBoundAsync(Sql sql, object[] bound, CancellationToken cancellationToken)
        {
            // The connection goes back to the pool on release: raw statement handles must not follow it.
            ObjectDisposedException.ThrowIf(_released, this);
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<int>(cancellationToken);
            }
            try
            {
                return Task.FromResult(pooled.Execute(sql, bound, owner));
            }
            catch (SqliteException e)
            {
                return Task.FromException<int>(Fail(e));
            }
        }

        public override Task<List<T>> ReadAsync<T>(Sql sql, object?[] args, Func<Row, T> map, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            if (!pooled.ReadsDirectly)
            {
                return base.ReadAsync(sql, args, map, cancellationToken);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<List<T>>(cancellationToken);
            }
            var bound = owner.Bind(sql, args);
            try
            {
                return Task.FromResult(pooled.Read(sql, bound, owner, map));
            }
            catch (SqliteException e)
            {
                return Task.FromException<List<T>>(Fail(e));
            }
        }

        protected override DbCommand Rent(Sql sql)
        {
            try
            {
                return pooled.Command(sql, owner);
            }
            catch (SqliteException e)
            {
                // Preparing fails on a missing table: translated like a failed step.
                throw Fail(e);
            }
        }

        protected override void Return(DbCommand command)
        {
            // Prepared commands stay with their connection; only drop references to the values.
            var parameters = ((SqliteCommand)command).Parameters;
            for (var i = 0; i < parameters.Count; i++)
            {
                parameters[i].Value = DBNull.Value;
            }
            command.Transaction = null;
        }

        protected override ValueTask<DbTransaction> BeginCoreAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // BEGIN IMMEDIATE: take the write lock up front, so a transaction never fails on a
            // deferred read-to-write upgrade; busy_timeout applies to taking it.
            return ValueTask.FromResult<DbTransaction>(pooled.Connection.BeginTransaction(deferred: false));
        }

        protected override ValueTask ReleaseAsync()
        {
            _released = true;
            owner.Release(pooled, gated, Broken);
            return ValueTask.CompletedTask;
        }
    }
}
