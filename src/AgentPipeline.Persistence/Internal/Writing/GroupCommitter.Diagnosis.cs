namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>Rows that wrote nothing, and rows written again on their own.</summary>
internal sealed partial class GroupCommitter
{
    /// <summary>
    /// After the commit, each row that wrote nothing: a replay gets the stored id, a conflict or
    /// bad value fails only that call (<paramref name="outcomes"/>), and anything else goes to
    /// <paramref name="again"/> to be tried alone (its parent may have been in this batch).
    /// </summary>
    private static async Task DiagnoseAsync(Session session, List<Pending> batch, List<List<int>> rows, BatchResult[] results,
        Guid[] ids, Exception?[] outcomes, List<int> again, bool[] written, CancellationToken ct)
    {
        for (var s = 0; s < rows.Count; s++)
        {
            var shared = results[s].InsertedIds is null ? null : SharedIds(batch, rows[s]);
            foreach (var i in rows[s])
            {
                var p = batch[i];
                var id = (Guid)p.Values[0]!;
                var wrote = results[s].InsertedIds is { } inserted
                    ? inserted.Contains(id) && !shared!.Contains(id)
                    : results[s].Affected == 1;
                if (wrote)
                {
                    ids[i] = id;
                    written[i] = true;
                    continue;
                }
                try
                {
                    if (await Idempotent.ResolveAsync(session, p.Spec, p.Values, p.CallerChoseId, ct).ConfigureAwait(false) is Guid stored)
                    {
                        ids[i] = stored;
                    }
                    else
                    {
                        again.Add(i); // its parent may have been in this batch; alone, it is stored or diagnosed
                    }
                }
                catch (Exception e) when (e is PipelinePersistenceException and not PipelineDatabaseException || e is ArgumentException)
                {
                    outcomes[i] = e; // this row's own failure; the others go on
                }
            }
        }
    }

    /// <summary>
    /// Ids that more than one row of a multi-row statement carries: for those, "an id came back"
    /// does not say which row wrote it, so each is diagnosed like a row that wrote nothing.
    /// </summary>
    private static HashSet<Guid> SharedIds(List<Pending> batch, List<int> members)
    {
        var seen = new HashSet<Guid>(members.Count);
        var shared = new HashSet<Guid>();
        foreach (var i in members)
        {
            var id = (Guid)batch[i].Values[0]!;
            if (!seen.Add(id))
            {
                shared.Add(id);
            }
        }
        return shared;
    }

    private async Task IsolatedAsync(Pending p)
    {
        try
        {
            p.Completion.TrySetResult(await InsertAloneAsync(p.Spec, p.Values, p.Bound, p.Content, p.CallerChoseId, p.Missing, CancellationToken.None)
                .ConfigureAwait(false));
        }
        catch (Exception e)
        {
            p.Completion.TrySetException(e);
        }
    }
}
