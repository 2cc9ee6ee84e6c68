using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// One call's use of one connection, with an optional transaction that is rolled back on dispose
/// unless committed. Every provider error passes through <see cref="Dialect.Translate"/>.
/// </summary>
internal abstract class Session : IAsyncDisposable
{
    private bool _broken;

    protected Session(Dialect dialect, DbConnection connection)
    {
        Dialect = dialect;
        Connection = connection;
    }

    protected Dialect Dialect { get; }

    /// <summary>Which database this session is on (for the few statements spelled differently).</summary>
    public PipelineProvider DialectKind => Dialect.Kind;

    /// <summary>Whether statements sent together as a batch are one transaction by themselves (<see cref="Dialect.BatchIsTransaction"/>).</summary>
    public bool BatchIsTransaction => Dialect.BatchIsTransaction;

    protected DbConnection Connection { get; }

    protected DbTransaction? Transaction { get; private set; }

    /// <summary>True when the connection may be in an unknown state and must not be reused.</summary>
    protected bool Broken => _broken;

    /// <summary>No transaction open and the connection in a known state: the session may serve another unit of work.</summary>
    internal bool Reusable => !_broken && Transaction is null;

    protected abstract DbCommand Rent(Sql sql);

    protected abstract void Return(DbCommand command);

    protected abstract ValueTask<DbTransaction> BeginCoreAsync(CancellationToken cancellationToken);

    protected abstract ValueTask ReleaseAsync();

    /// <summary>A read-only transaction whose statements all see one snapshot of the database.</summary>
    protected abstract ValueTask<DbTransaction> BeginSnapshotCoreAsync(CancellationToken cancellationToken);

    public Task BeginAsync(CancellationToken cancellationToken) => BeginAsync(snapshot: false, cancellationToken);

    /// <summary>
    /// Begins a transaction for a read of several statements that must agree with each other (a run
    /// and its tree): each sees the database as of the first, whatever commits meanwhile.
    /// </summary>
    public Task BeginSnapshotAsync(CancellationToken cancellationToken) => BeginAsync(snapshot: true, cancellationToken);

    private async Task BeginAsync(bool snapshot, CancellationToken cancellationToken)
    {
        try
        {
            Transaction = snapshot
                ? await BeginSnapshotCoreAsync(cancellationToken).ConfigureAwait(false)
                : await BeginCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            _broken = true;
            throw Dialect.Translate(e);
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var tx = Transaction ?? throw new InvalidOperationException("No transaction to commit.");
        try
        {
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            _broken = true;
            throw e is DbException db ? Dialect.Translate(db) : e;
        }
        finally
        {
            await tx.DisposeAsync().ConfigureAwait(false);
            Transaction = null;
        }
    }

    public ValueTask<int> ExecuteAsync(Sql sql, object?[] args, CancellationToken cancellationToken) =>
        ExecuteBoundAsync(sql, Dialect.Bind(sql, args), cancellationToken);

    /// <summary>Runs a statement whose values <see cref="Dialect.Bind"/> already checked and converted.</summary>
    /// <remarks>Pooled: on PostgreSQL every call completes asynchronously, and this runs once or more per write.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public virtual async ValueTask<int> ExecuteBoundAsync(Sql sql, object[] bound, CancellationToken cancellationToken)
    {
        var command = Rent(sql);
        command.Transaction = Transaction;
        var parameters = command.Parameters;
        for (var i = 0; i < bound.Length; i++)
        {
            parameters[i].Value = bound[i];
        }
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            throw Fail(e);
        }
        finally
        {
            Return(command);
        }
    }

    /// <summary>
    /// Runs several statements with bound values and returns, for each, its affected-row count
    /// (one row's statement) or the ids it inserted (a <see cref="BatchStatement.Rows"/> statement,
    /// PostgreSQL only). PostgreSQL sends them in one round trip; SQLite, in-process, simply runs
    /// its prepared statements one after another.
    /// </summary>
    public virtual async Task<BatchResult[]> ExecuteBatchAsync(IReadOnlyList<BatchStatement> statements, CancellationToken cancellationToken)
    {
        var results = new BatchResult[statements.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var statement = statements[i];
            if (statement.Row is null)
            {
                throw new NotSupportedException("Multi-row statements are PostgreSQL's.");
            }
            results[i] = new BatchResult(await ExecuteBoundAsync(statement.Sql, statement.Row, cancellationToken).ConfigureAwait(false), null);
        }
        return results;
    }

    /// <summary>The first row's columns as <see cref="Sql.Results"/> types say, or null when there is no row.</summary>
    public async Task<object?[]?> QueryRowAsync(Sql sql, object?[] args, CancellationToken cancellationToken) =>
        await ReadFirstAsync<object?[]>(sql, args, (dialect, reader) => ReadRow(sql, reader), cancellationToken).ConfigureAwait(false);

    /// <summary>Every row's columns as <see cref="Sql.Results"/> types say (reads that are not hot: the CLI's views).</summary>
    public async Task<List<object?[]>> QueryRowsAsync(Sql sql, object?[] args, CancellationToken cancellationToken)
    {
        var command = Prepare(sql, args);
        try
        {
            var rows = new List<object?[]>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(ReadRow(sql, reader));
                }
            }
            return rows;
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            throw Fail(e);
        }
        finally
        {
            Return(command);
        }
    }

    /// <summary>The first row mapped straight from the reader by <paramref name="map"/>, or null when there is none.</summary>
    /// <remarks>Pooled, like <see cref="ExecuteBoundAsync"/>: state checks read a row on every call.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T?> ReadFirstAsync<T>(Sql sql, object?[] args, Func<Dialect, DbDataReader, T> map, CancellationToken cancellationToken)
        where T : class
    {
        var command = Prepare(sql, args);
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? map(Dialect, reader) : null;
            }
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            throw Fail(e);
        }
        finally
        {
            Return(command);
        }
    }

    /// <summary>Rows mapped straight from each <see cref="Row"/> by <paramref name="map"/> (typed reads, no object arrays).</summary>
    public virtual Task<List<T>> ReadAsync<T>(Sql sql, object?[] args, Func<Row, T> map, CancellationToken cancellationToken) =>
        ReadWithAsync(sql, args, map, CommandBehavior.Default, cancellationToken);

    /// <summary>
    /// The same with <see cref="CommandBehavior.SequentialAccess"/> where the provider streams: each row's
    /// columns read in order, straight from the connection (rows of large values are not buffered whole
    /// first). SQLite's reads are direct anyway.
    /// </summary>
    public virtual Task<List<T>> ReadStreamingAsync<T>(Sql sql, object?[] args, Func<Row, T> map, CancellationToken cancellationToken) =>
        ReadWithAsync(sql, args, map, CommandBehavior.SequentialAccess, cancellationToken);

    private async Task<List<T>> ReadWithAsync<T>(Sql sql, object?[] args, Func<Row, T> map, CommandBehavior behavior, CancellationToken cancellationToken)
    {
        var command = Prepare(sql, args);
        try
        {
            var list = new List<T>();
            var reader = await command.ExecuteReaderAsync(behavior, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var row = new ReaderRow(Dialect, reader);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(map(row));
                }
            }
            return list;
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            throw Fail(e);
        }
        finally
        {
            Return(command);
        }
    }

    private DbCommand Prepare(Sql sql, object?[] args)
    {
        if (args.Length != sql.Parameters.Length)
        {
            throw new InvalidOperationException($"Statement expects {sql.Parameters.Length} values, got {args.Length}.");
        }
        for (var i = 0; i < args.Length; i++)
        {
            ValueLimit.Check(sql.Parameters[i].Name, args[i], Dialect.MaxValueBytes);
        }
        var command = Rent(sql);
        command.Transaction = Transaction;
        var parameters = command.Parameters;
        for (var i = 0; i < args.Length; i++)
        {
            parameters[i].Value = Dialect.ToDb(sql.Parameters[i].Type, args[i]);
        }
        return command;
    }

    private object?[] ReadRow(Sql sql, DbDataReader reader)
    {
        var row = new object?[sql.Results.Length];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = Dialect.FromDb(reader, i, sql.Results[i].Type);
        }
        return row;
    }

    /// <summary>A provider exception turned into ours, the connection marked unfit for reuse.</summary>
    protected Exception Fail(Exception e)
    {
        // A cancelled or failed command may leave the connection mid-protocol; don't reuse it.
        _broken = true;
        return e is DbException db ? Dialect.Translate(db) : e;
    }

    public async ValueTask DisposeAsync()
    {
        if (Transaction is not null)
        {
            try
            {
                await Transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                _broken = true;
            }
            await Transaction.DisposeAsync().ConfigureAwait(false);
            Transaction = null;
        }
        await ReleaseAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// One statement of a batch: one row's values (<see cref="Row"/>), or, for a statement whose
/// parameters are arrays (<c>unnest</c>), every row's (<see cref="Rows"/>).
/// </summary>
internal readonly record struct BatchStatement(Sql Sql, object[]? Row, IReadOnlyList<object[]>? Rows);

/// <summary>What a batch statement did: rows affected, and for a multi-row insert the ids it wrote.</summary>
internal readonly record struct BatchResult(int Affected, HashSet<Guid>? InsertedIds);
