namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Puts a run's memory records in their order, <c>created_at</c> then <c>seq</c> (insertion order),
/// on the client. On PostgreSQL a read of many records otherwise costs the server a sort: its planner
/// picks a scan and a sort over the (run_id, created_at, seq) index for any result of more than a
/// few rows, and the sort was a quarter of the call for 1,000 records (docs/performance.md). The
/// rows mostly arrive in order already (a run's records are written in order), so the check is one
/// pass and the sort rarely runs.
/// </summary>
internal static class MemoryOrder
{
    public readonly record struct Entry(MemoryRecord Record, long Seq);

    public static MemoryRecord[] Sort(List<Entry> entries)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries);
        if (!InOrder(span))
        {
            span.Sort(static (a, b) => Compare(a, b));
        }
        var records = new MemoryRecord[span.Length];
        for (var i = 0; i < span.Length; i++)
        {
            records[i] = span[i].Record;
        }
        return records;
    }

    private static bool InOrder(ReadOnlySpan<Entry> entries)
    {
        for (var i = 1; i < entries.Length; i++)
        {
            if (Compare(entries[i - 1], entries[i]) > 0)
            {
                return false;
            }
        }
        return true;
    }

    // Instants compare as UTC (timestamptz does); seq is unique, so the order is total.
    private static int Compare(in Entry a, in Entry b)
    {
        var byTime = a.Record.CreatedAt.UtcTicks.CompareTo(b.Record.CreatedAt.UtcTicks);
        return byTime != 0 ? byTime : a.Seq.CompareTo(b.Seq);
    }
}
