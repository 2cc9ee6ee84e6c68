using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// A call's connection: statements that return no rows and direct reads go straight through
/// <see cref="PooledConnection"/>; the rest through the connection's prepared commands.
/// Released back to the pool, and the write gate, when the call ends.
/// </summary>
internal sealed class SqliteSession(SqliteDialect owner, PooledConnection pooled, bool gated)
    : Session(owner, pooled.Connection)
{
    private bool _released;

    public override ValueTask<int> ExecuteBoundAsync(Sql sql, object[] bound, CancellationToken cancellationToken)
    {
        // The connection goes back to the pool on release: raw statement handles must not follow it.
        ObjectDisposedException.ThrowIf(_released, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        try
        {
            return new ValueTask<int>(pooled.Execute(sql, bound, owner));
        }
        catch (SqliteException e)
        {
            return ValueTask.FromException<int>(Fail(e));
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

    public override Task<List<T>> ReadStreamingAsync<T>(Sql sql, object?[] args, Func<Row, T> map, CancellationToken cancellationToken) =>
        ReadAsync(sql, args, map, cancellationToken);

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

    protected override ValueTask<DbTransaction> BeginSnapshotCoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // A deferred transaction takes no lock; in WAL mode its first read fixes the snapshot the rest see.
        return ValueTask.FromResult<DbTransaction>(pooled.Connection.BeginTransaction(deferred: true));
    }

    protected override ValueTask ReleaseAsync()
    {
        _released = true;
        owner.Release(pooled, gated, Broken);
        return ValueTask.CompletedTask;
    }
}
