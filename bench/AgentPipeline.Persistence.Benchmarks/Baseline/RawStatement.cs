namespace AgentPipeline.Persistence.Benchmarks.Baseline;

/// <summary>How the baseline binds a value: the same provider types the library uses.</summary>
internal enum RawType
{
    Text,
    Int,
    Bool,
    Uuid,
    Time,
    Json,
}

/// <summary>
/// One hand-written statement: its text (with <c>{s}</c> for the schema) and its parameters in
/// binding order. The baseline binds by position, so a statement's parameter list is its contract.
/// </summary>
internal sealed class RawStatement
{
    private static int _count;

    public RawStatement(string template, params (string Name, RawType Type)[] parameters)
    {
        Index = Interlocked.Increment(ref _count) - 1;
        Template = template;
        Parameters = parameters;
    }

    /// <summary>Dense index, for a per-connection array of prepared commands.</summary>
    public int Index { get; }

    public string Template { get; }

    public (string Name, RawType Type)[] Parameters { get; }

    public static int Count => Volatile.Read(ref _count);

    // {forshare} / {forshareof:alias}: the parent's row lock the library's creates take on PostgreSQL (none on SQLite).
    // {notifycta}: the notification a resolved CTA sends its waiters on PostgreSQL (none on SQLite).
    public string TextFor(PipelineProvider provider) => provider == PipelineProvider.Sqlite
        ? System.Text.RegularExpressions.Regex.Replace(Template, @"\{forshareof:\w+\}", "")
            .Replace("{forshare}", "", StringComparison.Ordinal)
            .Replace("{notifycta}", "", StringComparison.Ordinal)
            .Replace("{s}", "main", StringComparison.Ordinal)
            .Replace("{seqcol}", "seq, ", StringComparison.Ordinal)
            .Replace("{seqval}", "(SELECT COALESCE(MAX(m.seq), 0) + 1 FROM main.memory_records m), ", StringComparison.Ordinal)
        : System.Text.RegularExpressions.Regex.Replace(Template, @"\{forshareof:(\w+)\}", " FOR SHARE OF $1")
            .Replace("{forshare}", " FOR SHARE", StringComparison.Ordinal)
            .Replace("{notifycta}", " RETURNING pg_notify('agentpipe_cta', id::text)", StringComparison.Ordinal)
            .Replace("{s}", "agent", StringComparison.Ordinal)
            .Replace("{seqcol}", "", StringComparison.Ordinal)
            .Replace("{seqval}", "", StringComparison.Ordinal);
}
