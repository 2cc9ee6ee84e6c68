using System.Collections.Concurrent;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Group commit for the hot creates (steps, tool calls, memory records, invocations). A writer
/// alone goes straight to the database, as before. Writers that overlap queue their inserts; one
/// flusher takes everything queued, runs it in one transaction (one round trip on PostgreSQL) and
/// commits once, so the commit's flush is shared. Each call completes only after the commit that
/// holds its row. Per row, an insert that wrote nothing is diagnosed inside the same transaction
/// (a replay returns its id; a conflict or a missing parent fails only that call). If the batch
/// itself fails on the database, every call in it is retried on its own, so one bad row cannot
/// fail the others.
/// </summary>
internal sealed class GroupCommitter(PipelineDb db, bool enabled, int maxBatch)
{
    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _writers;
    private int _flushing;

    /// <summary>Rows in the last batch the flusher committed (for tests).</summary>
    internal int LastBatchSize { get; private set; }

    /// <summary>While held, every call queues and the flusher waits: tests use it to make a batch of a known size.</summary>
    internal SemaphoreSlim? Hold { get; set; }

    /// <summary>Called after a call's row is queued (for tests).</summary>
    internal Action? Queued { get; set; }

    public async Task<Guid> InsertAsync(CreateSpec spec, object?[] values, object?[] insertArgs, bool callerChoseId,
        Func<Session, CancellationToken, Task> missing, CancellationToken cancellationToken)
    {
        var contended = Interlocked.Increment(ref _writers) > 1;
        try
        {
            if (!enabled || (!contended && Hold is null))
            {
                return await db.RunAsync(write: true, (session, ct) => InsertOneAsync(session, spec, values, insertArgs, callerChoseId, missing, ct), cancellationToken)
                    .ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            var pending = new Pending(spec, values, insertArgs, callerChoseId, missing, cancellationToken);
            _queue.Enqueue(pending);
            Queued?.Invoke();
            if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
            {
                _ = Task.Run(FlushLoopAsync, CancellationToken.None);
            }
            // Not WaitAsync(token): once in a batch the call's true outcome is what the caller gets.
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _writers);
        }
    }

    private static async Task<Guid> InsertOneAsync(Session session, CreateSpec spec, object?[] values, object?[] insertArgs, bool callerChoseId,
        Func<Session, CancellationToken, Task> missing, CancellationToken cancellationToken)
    {
        if (await Idempotent.InsertAsync(session, spec, values, insertArgs, callerChoseId, cancellationToken).ConfigureAwait(false) is Guid stored)
        {
            return stored;
        }
        await missing(session, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException($"Insert into {spec.Table} wrote no row and no reason was found.");
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            if (Hold is { } hold)
            {
                await hold.WaitAsync().ConfigureAwait(false);
                hold.Release();
            }
            var batch = new List<Pending>();
            while (batch.Count < maxBatch && _queue.TryDequeue(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Completion.TrySetCanceled(next.CancellationToken); // never written
                }
                else
                {
                    batch.Add(next);
                }
            }
            if (batch.Count > 0)
            {
                await FlushAsync(batch).ConfigureAwait(false);
                continue;
            }
            Volatile.Write(ref _flushing, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        var outcomes = new Exception?[batch.Count];
        var ids = new Guid[batch.Count];
        try
        {
            await db.RunAsync(write: true, async (session, ct) =>
            {
                // SQLite: one BEGIN IMMEDIATE … COMMIT around the batch. PostgreSQL: no explicit
                // transaction; the batch's statements up to its single Sync form one implicit
                // transaction, so rows and commit cost one round trip and one flush.
                var explicitTransaction = db.Provider == PipelineProvider.Sqlite;
                if (explicitTransaction)
                {
                    await session.BeginAsync(ct).ConfigureAwait(false);
                }
                var affected = await session.ExecuteBatchAsync([.. batch.Select(p => (p.Spec.Insert, p.InsertArgs))], ct).ConfigureAwait(false);
                if (explicitTransaction)
                {
                    await session.CommitAsync(ct).ConfigureAwait(false);
                }
                // Rows that wrote nothing are diagnosed after the commit: they wrote nothing to undo.
                for (var i = 0; i < batch.Count; i++)
                {
                    var p = batch[i];
                    outcomes[i] = null;
                    if (affected[i] == 1)
                    {
                        ids[i] = (Guid)p.Values[0]!;
                        continue;
                    }
                    try
                    {
                        if (await Idempotent.ResolveAsync(session, p.Spec, p.Values, p.CallerChoseId, ct).ConfigureAwait(false) is Guid stored)
                        {
                            ids[i] = stored;
                            continue;
                        }
                        await p.Missing(session, ct).ConfigureAwait(false);
                        outcomes[i] = new InvalidOperationException($"Insert into {p.Spec.Table} wrote no row and no reason was found.");
                    }
                    catch (Exception e) when (e is PipelinePersistenceException and not PipelineDatabaseException || e is ArgumentException)
                    {
                        outcomes[i] = e; // this row's own failure; the others go on
                    }
                }
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // The batch failed as a whole (an unexpected database error): give each call its own
            // transaction, so only the row at fault fails.
            await Task.WhenAll(batch.Select(p => IsolatedAsync(p))).ConfigureAwait(false);
            return;
        }
        catch (Exception e)
        {
            batch[0].Completion.TrySetException(e);
            return;
        }
        LastBatchSize = batch.Count;
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } error)
            {
                batch[i].Completion.TrySetException(error);
            }
            else
            {
                batch[i].Completion.TrySetResult(ids[i]);
            }
        }
    }

    private async Task IsolatedAsync(Pending p)
    {
        try
        {
            p.Completion.TrySetResult(await db.RunAsync(write: true,
                (session, ct) => InsertOneAsync(session, p.Spec, p.Values, p.InsertArgs, p.CallerChoseId, p.Missing, ct), CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            p.Completion.TrySetException(e);
        }
    }

    private sealed record Pending(CreateSpec Spec, object?[] Values, object?[] InsertArgs, bool CallerChoseId,
        Func<Session, CancellationToken, Task> Missing, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<Guid> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
