namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>One batch: drained from the queue, planned, written in one transaction, and its calls completed.</summary>
internal sealed partial class GroupCommitter
{
    private List<Pending> Drain()
    {
        var batch = new List<Pending>();
        while (batch.Count < _maxBatch && _queue.TryDequeue(out var next))
        {
            Interlocked.Decrement(ref _queued);
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
            _observer?.Drained(batch.Count);
        }
        return batch;
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        var ids = new Guid[batch.Count];
        var outcomes = new Exception?[batch.Count];
        var again = new List<int>();
        try
        {
            await _writes.RunBatchAsync(async (session, ct) =>
            {
                Array.Clear(outcomes);
                again.Clear();
                var (statements, rows) = Plan(batch);
                // SQLite: one BEGIN IMMEDIATE … COMMIT around the batch. PostgreSQL: no explicit
                // transaction; the batch's statements up to its single Sync form one implicit
                // transaction, so rows and commit cost one round trip and one flush.
                var explicitTransaction = !_dialect.BatchIsTransaction;
                if (explicitTransaction)
                {
                    await session.BeginAsync(ct).ConfigureAwait(false);
                }
                var results = await session.ExecuteBatchAsync(statements, ct).ConfigureAwait(false);
                if (explicitTransaction)
                {
                    await session.CommitAsync(ct).ConfigureAwait(false);
                }
                // Rows that wrote nothing are diagnosed after the commit: they wrote nothing to undo.
                await DiagnoseAsync(session, batch, rows, results, ids, outcomes, again, ct).ConfigureAwait(false);
            }, _keeper).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PipelineDatabaseException { IsTransient: true } or ObjectDisposedException)
        {
            // The database stayed unreachable through every retry, or the handle closed: no row
            // could be written on its own either.
            foreach (var p in batch)
            {
                p.Completion.TrySetException(e);
            }
            return;
        }
        catch (Exception) when (batch.Count > 1)
        {
            // The batch failed as a whole (a row the database rejected): give each call its own
            // transaction, one after another and parents' tables first, so only the row at fault fails.
            await IsolateAsync(batch.Select((p, i) => i)).ConfigureAwait(false);
            return;
        }
        catch (Exception e)
        {
            batch[0].Completion.TrySetException(e);
            return;
        }
        _observer?.BatchCommitted(batch.Count);
        WriteMetrics.Batches.Add(1, _writes.ProviderTag);
        WriteMetrics.BatchRows.Record(batch.Count, _writes.ProviderTag);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } error)
            {
                batch[i].Completion.TrySetException(error);
            }
            else if (!again.Contains(i))
            {
                batch[i].Completion.TrySetResult(ids[i]);
            }
        }
        if (again.Count > 0)
        {
            // Each row alone takes a connection of its own: the kept one goes back first, so a
            // pool of one connection still has one for them.
            await ReleaseKeptAsync().ConfigureAwait(false);
            await IsolateAsync(again).ConfigureAwait(false);
        }

        async Task IsolateAsync(IEnumerable<int> rows)
        {
            foreach (var i in rows.OrderBy(i => batch[i].Spec.BatchOrder))
            {
                await IsolatedAsync(batch[i]).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The batch as statements in a safe order (parents' tables first), and which rows each one
    /// writes. Where the dialect takes array parameters, a table's rows share one statement.
    /// </summary>
    private (List<BatchStatement> Statements, List<List<int>> Rows) Plan(List<Pending> batch)
    {
        var statements = new List<BatchStatement>();
        var rows = new List<List<int>>();
        var multiRow = _dialect.MultiRowInserts;
        var groups = batch.Select((p, i) => (p, i)).GroupBy(x => x.p.Spec).OrderBy(g => g.Key.BatchOrder);
        foreach (var group in groups)
        {
            var members = group.Select(x => x.i).ToList();
            if (multiRow && group.Key.InsertMany is { } many && members.Count > 1)
            {
                statements.Add(new BatchStatement(many, null, [.. members.Select(i => batch[i].Bound)]));
                rows.Add(members);
                continue;
            }
            foreach (var i in members)
            {
                statements.Add(new BatchStatement(group.Key.Insert, batch[i].Bound, null));
                rows.Add([i]);
            }
        }
        return (statements, rows);
    }
}
