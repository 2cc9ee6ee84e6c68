using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The statement and values of one <see cref="PipelinePersistence.ListFeatureRunsAsync"/> call. Each
/// combination of filters gets its own statement text (cached, so prepared once per connection), rather
/// than one text with <c>@x IS NULL OR …</c> per filter, so each planner sees only the conditions that
/// apply and picks the index that serves them:
/// <list type="bullet">
/// <item>no filter, dates, repository: <c>(created_at, id)</c> or <c>(github_repo_url, created_at, id)</c>, read backwards;</item>
/// <item>phase (and completed / failed status): <c>(current_phase, created_at, id)</c>;</item>
/// <item>running / waiting status: the partial index of runs in a working phase, with one probe of the run's CTAs per run.</item>
/// </list>
/// The cursor's position is a row-value comparison, which both SQLite and PostgreSQL turn into a
/// range of those indexes; nothing is skipped by OFFSET.
/// <para>
/// PostgreSQL, the plan cache (Npgsql prepares the store's statements): the server plans a prepared
/// statement for its values (a custom plan) the first five times, then keeps the plan made for any
/// values (the generic plan) while its estimated cost is below the custom plans' average plus a
/// small charge for planning. A generic plan priced a <c>LIMIT $n</c> as 10% of the rows the filters
/// match, hundreds of rows at 20,000 runs against a page's 21, so there the server planned every
/// call anew (about 0.3 ms, more than running the plan) where at 1,000 runs it kept the generic
/// plan, the same index walk. So the row limit (one more than a page) is a number in the text (a
/// statement per page size used), and a listing with values but no search runs with its generic
/// plan every time (<see cref="PlanChoice.Generic"/>): its best plan is the same walk of one index
/// whatever the values, and estimates made without them (a range of two unknown dates is 0.5% of
/// the runs) can still price it a little above a custom plan. A search of the prompts is planned for
/// its text every time (<see cref="PlanChoice.Custom"/>): the trigram index for a rare text, the
/// newest runs for a common one, where a generic plan, which cannot tell them apart, reads every
/// candidate of the index and sorts them.
/// </para>
/// </summary>
internal sealed class FeatureRunListing
{
    /// <summary>An open CTA: neither answered nor timed out (a timeout sets <c>responded_at</c> too), as the partial index on open CTAs says.</summary>
    public const string OpenCta = "c.responded_at IS NULL";

    /// <summary>A run in a working phase; spelled as the partial index of working runs is.</summary>
    public const string Working = "r.current_phase NOT IN ('completed', 'failed')";

    private static readonly ConcurrentDictionary<(PipelineProvider, int Key, int Limit), (Sql Whole, Sql Page)> Statements = new();

    /// <summary>
    /// How many statements <see cref="Statements"/> keeps; past that (an application using many page
    /// sizes with many combinations of filters) a call's statement is made for it alone.
    /// </summary>
    private const int MaxStatements = 4096;

    private static readonly Param[] Results =
    [
        new("id", Col.Guid), new("prompt", Col.Text), new("sandbox_id", Col.Text), new("github_repo_url", Col.Text),
        new("github_branch", Col.Text), new("current_phase", Col.Text), new("created_at", Col.Time), new("completed_at", Col.Time),
        new("open_ctas", Col.Long),
        .. UsageColumns.Counts,
    ];

    /// <summary>
    /// SQLite: a search text that more runs than this may contain (the trigram index's candidates,
    /// counted up to this) is looked for by reading the runs newest first, which fills a page after
    /// about <c>page × runs / matches</c> rows; a rarer one through the index, whose candidates are
    /// then sorted (at most this many).
    /// </summary>
    public const int IndexedCandidates = 1000;

    /// <summary>The SQLite trigram index of prompts (FTS5, contentless), and its rows' run ids.</summary>
    public const string SearchTable = "feature_run_search";

    public const string SearchRows = "feature_run_search_rows";

    private static readonly Sql CountCandidates = new(
        $"SELECT COUNT(*) FROM (SELECT 1 FROM {{s}}.{SearchTable}(@match) LIMIT {IndexedCandidates})", [new("match", Col.Text)], [new("n", Col.Long)]);

    private FeatureRunListing(Sql sql, Sql pageSql, object?[] args, byte[] filters, int pageSize, Sql? scanSql, object?[]? scanArgs, object?[]? probeArgs)
    {
        Sql = sql;
        PageSql = pageSql;
        Args = args;
        Filters = filters;
        PageSize = pageSize;
        ScanSql = scanSql;
        ScanArgs = scanArgs;
        ProbeArgs = probeArgs;
    }

    /// <summary>The statement, through the prompt index where a search can use one.</summary>
    public Sql Sql { get; }

    /// <summary>
    /// <see cref="Sql"/>'s choice of runs alone, without their token totals: the same parameters, for
    /// the query-plan tests (the runs come from an index in the order asked for, no sort).
    /// </summary>
    public Sql PageSql { get; }

    /// <summary>The values of <see cref="Sql"/>'s parameters (the row limit, one more than a page, is in the text).</summary>
    public object?[] Args { get; }

    /// <summary>SQLite, a search through the trigram index: the same listing without the index, for a text many runs contain.</summary>
    public Sql? ScanSql { get; }

    public object?[]? ScanArgs { get; }

    /// <summary>The values of <see cref="CountCandidates"/>, when <see cref="ScanSql"/> is set.</summary>
    private object?[]? ProbeArgs { get; }

    /// <summary>
    /// The rows of the call's statement: on SQLite, a search that can use the trigram index first
    /// counts the index's candidates (up to <see cref="IndexedCandidates"/>) and reads the runs
    /// newest first instead when there are that many.
    /// </summary>
    public async Task<List<object?[]>> ReadAsync(Session session, CancellationToken cancellationToken)
    {
        if (ScanSql is not null)
        {
            var count = await session.QueryRowAsync(CountCandidates, ProbeArgs!, cancellationToken).ConfigureAwait(false);
            if ((long)count![0]! >= IndexedCandidates)
            {
                return await session.QueryRowsAsync(ScanSql, ScanArgs!, cancellationToken).ConfigureAwait(false);
            }
        }
        return await session.QueryRowsAsync(Sql, Args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The filters in a canonical form, which a cursor's check covers.</summary>
    public byte[] Filters { get; }

    public int PageSize { get; }

    [Flags]
    private enum Parts
    {
        Phase = 1,
        From = 2,
        To = 4,
        Repository = 8,
        Prompt = 16,
        Cursor = 32,
        /// <summary>SQLite: the prompt search goes through the trigram index.</summary>
        Indexed = 64,
        /// <summary>Each run with its token totals.</summary>
        Tokens = 128,
        // Status takes 3 bits: 0 = none, else RunStatus + 1.
        StatusShift = 8,
    }

    /// <summary>Checks <paramref name="query"/> (an <see cref="ArgumentException"/> names the field) and builds the call.</summary>
    public static FeatureRunListing For(FeatureRunQuery query, PipelineProvider provider)
    {
        var phase = Check.Enum(query.Phase, "query.Phase");
        if (query.Status is { } s && !Enum.IsDefined(s))
        {
            throw new ArgumentOutOfRangeException("query.Status", s, "query.Status is not a known RunStatus value.");
        }
        var from = Check.Utc(query.CreatedFrom, "query.CreatedFrom");
        var to = Check.Utc(query.CreatedTo, "query.CreatedTo");
        if (from > to)
        {
            throw new ArgumentException($"query.CreatedFrom ({from:O}) is after query.CreatedTo ({to:O}).", "query.CreatedFrom");
        }
        var repository = Check.OptionalKey(query.Repository, "query.Repository");
        var prompt = query.PromptContains;
        if (prompt is { Length: 0 })
        {
            throw new ArgumentException("query.PromptContains is empty; pass null to list runs whatever their prompt.", "query.PromptContains");
        }
        if (prompt is { Length: > FeatureRunQuery.MaxPromptContainsChars })
        {
            throw new ArgumentException(
                $"query.PromptContains is {prompt.Length:N0} characters, over the {FeatureRunQuery.MaxPromptContainsChars:N0}-character limit for a search.",
                "query.PromptContains");
        }
        if (query.PageSize is < 1 or > FeatureRunQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("query.PageSize", query.PageSize, $"query.PageSize must be 1 to {FeatureRunQuery.MaxPageSize}.");
        }

        var filters = Canonical(phase, query.Status, from, to, repository, prompt);
        var parts = (phase is null ? 0 : Parts.Phase) | (from is null ? 0 : Parts.From) | (to is null ? 0 : Parts.To)
            | (repository is null ? 0 : Parts.Repository) | (prompt is null ? 0 : Parts.Prompt) | (query.Cursor is null ? 0 : Parts.Cursor)
            | (query.IncludeTokens ? Parts.Tokens : 0);
        var key = (int)parts | ((query.Status is { } status ? (int)status + 1 : 0) << (int)Parts.StatusShift);
        var indexed = prompt is not null && provider == PipelineProvider.Sqlite && Indexable(prompt);

        var args = new List<object?>(10);
        if (phase is not null)
        {
            args.Add(phase);
        }
        if (from is not null)
        {
            args.Add(from);
        }
        if (to is not null && query.Cursor is null)
        {
            args.Add(to);
        }
        if (repository is not null)
        {
            args.Add(repository);
        }
        var searchAt = args.Count;
        if (prompt is not null)
        {
            args.Add("%" + EscapeLike(prompt) + "%");
        }
        if (query.Cursor is { } cursor)
        {
            var (createdAt, id) = KeysetCursor.Decode(cursor, filters, "query.Cursor", nameof(PipelinePersistence.ListFeatureRunsAsync));
            args.Add(createdAt);
            args.Add(id);
        }
        var (sql, pageSql) = StatementsFor(provider, key, query.PageSize + 1);
        if (!indexed)
        {
            return new FeatureRunListing(sql, pageSql, [.. args], filters, query.PageSize, null, null, null);
        }
        // The index's query: the text as one FTS5 phrase ("…", a quote doubled), bound as text as
        // the prompts are (DbText escapes, which leave quotes alone).
        var match = "\"" + prompt!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var indexedArgs = new List<object?>(args);
        indexedArgs.Insert(searchAt, match);
        var (indexedSql, indexedPageSql) = StatementsFor(provider, key | (int)Parts.Indexed, query.PageSize + 1);
        return new FeatureRunListing(indexedSql, indexedPageSql, [.. indexedArgs], filters, query.PageSize, sql, [.. args], [match]);
    }

    /// <summary>
    /// Whether the trigram index can find <paramref name="prompt"/>: its stored form (DbText) has at
    /// least three characters (code points), the shortest text a trigram index holds. A shorter text is
    /// looked for by reading the runs newest first until a page is full.
    /// </summary>
    internal static bool Indexable(string prompt)
    {
        var stored = DbText.Encode(prompt);
        var count = 0;
        foreach (var _ in stored.EnumerateRunes())
        {
            if (++count >= 3)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A page from the rows read (up to one more than a page: that one says a next page exists).</summary>
    public FeatureRunPage Page(List<object?[]> rows)
    {
        var count = Math.Min(rows.Count, PageSize);
        var items = new FeatureRunSummary[count];
        for (var i = 0; i < count; i++)
        {
            var r = rows[i];
            var phase = DbEnum<FeaturePhase>.Parse((string)r[5]!);
            var open = checked((int)(long)r[8]!);
            items[i] = new FeatureRunSummary
            {
                Id = (Guid)r[0]!,
                Prompt = (string)r[1]!,
                SandboxId = (string?)r[2],
                GithubRepoUrl = (string?)r[3],
                GithubBranch = (string?)r[4],
                CurrentPhase = phase,
                CreatedAt = (DateTimeOffset)r[6]!,
                CompletedAt = (DateTimeOffset?)r[7],
                Status = phase switch
                {
                    FeaturePhase.Completed => RunStatus.Completed,
                    FeaturePhase.Failed => RunStatus.Failed,
                    _ => open > 0 ? RunStatus.WaitingForHuman : RunStatus.Running,
                },
                OpenCtaCount = open,
                Tokens = r.Length <= 9 ? null : new TokenUsage
                {
                    InputTokens = (long?)r[9], OutputTokens = (long?)r[10], TotalTokens = (long?)r[11], InputNoCacheTokens = (long?)r[12],
                    InputCacheReadTokens = (long?)r[13], InputCacheWriteTokens = (long?)r[14], OutputTextTokens = (long?)r[15],
                    OutputReasoningTokens = (long?)r[16],
                },
            };
        }
        var next = rows.Count > PageSize ? KeysetCursor.Encode(items[^1].CreatedAt, items[^1].Id, Filters) : null;
        return new FeatureRunPage { Items = items, NextCursor = next };
    }

    private static (Sql Whole, Sql Page) StatementsFor(PipelineProvider provider, int key, int limit) =>
        Statements.TryGetValue((provider, key, limit), out var made) ? made
        : Statements.Count < MaxStatements ? Statements.GetOrAdd((provider, key, limit), static k => Build(k.Item1, k.Key, k.Limit))
        : Build(provider, key, limit);

    /// <summary>The statement for a combination of filters (<paramref name="key"/>), with <paramref name="limit"/> (one more than a page, checked) written into the text.</summary>
    private static (Sql Whole, Sql Page) Build(PipelineProvider provider, int key, int limit)
    {
        var parts = (Parts)(key & ((1 << (int)Parts.StatusShift) - 1));
        var status = (key >> (int)Parts.StatusShift) is var s and > 0 ? (RunStatus?)(s - 1) : null;
        var where = new List<string>();
        var parameters = new List<Param>();
        if (parts.HasFlag(Parts.Phase))
        {
            where.Add("r.current_phase = @phase");
            parameters.Add(new("phase", Col.Text));
        }
        switch (status)
        {
            case RunStatus.Completed:
                where.Add("r.current_phase = 'completed'");
                break;
            case RunStatus.Failed:
                where.Add("r.current_phase = 'failed'");
                break;
            case RunStatus.WaitingForHuman:
                // PostgreSQL: OFFSET 0 keeps the EXISTS a probe of each working run's CTAs, newest run
                // first, until a page is full. As a join the planner would price it from the open CTAs'
                // share of all runs (25 of 1,000 working runs at 20,000 runs, where 500 wait: it cannot
                // know that open CTAs belong to working runs) and read every open CTA and sort their runs.
                where.Add($"{Working} AND EXISTS (SELECT 1 FROM {{s}}.cta_events c WHERE c.run_id = r.id AND {OpenCta}"
                    + (provider == PipelineProvider.PostgreSql ? " OFFSET 0)" : ")"));
                break;
            case RunStatus.Running:
                where.Add($"{Working} AND NOT EXISTS (SELECT 1 FROM {{s}}.cta_events c WHERE c.run_id = r.id AND {OpenCta})");
                break;
        }
        if (parts.HasFlag(Parts.From))
        {
            where.Add("r.created_at >= @created_from");
            parameters.Add(new("created_from", Col.Time));
        }
        // With a cursor, the cursor's position is the upper bound: it is below CreatedTo (its run
        // matched the same filters, which the cursor's check covers), and as the only bound on
        // created_at it starts the index range there, where both bounds together made SQLite
        // start at CreatedTo and step over every run before the cursor.
        if (parts.HasFlag(Parts.To) && !parts.HasFlag(Parts.Cursor))
        {
            where.Add("r.created_at < @created_to");
            parameters.Add(new("created_to", Col.Time));
        }
        if (parts.HasFlag(Parts.Repository))
        {
            where.Add("r.github_repo_url = @repository");
            parameters.Add(new("repository", Col.Text));
        }
        if (parts.HasFlag(Parts.Indexed))
        {
            // The index gives candidates: the FTS5 trigram tokenizer folds case by Unicode's rules,
            // more than LIKE does, so it finds every run the LIKE below matches and maybe a few more,
            // which the LIKE then drops. CROSS JOIN keeps SQLite's join order: index first.
            where.Add("k.id = f.rowid AND r.id = k.run_id");
            parameters.Add(new("match", Col.Text));
        }
        if (parts.HasFlag(Parts.Prompt))
        {
            // SQLite's LIKE folds ASCII letters and nothing else (the store never turns on
            // case_sensitive_like). PostgreSQL's ILIKE and lower() follow the database's locale,
            // except under the "C" collation, where lower() folds ASCII letters only (and quickly:
            // translate() of the 26 letters cost ten times more), so both sides are folded that way
            // to get exactly SQLite's rule.
            where.Add(provider == PipelineProvider.Sqlite
                ? "r.prompt LIKE @prompt ESCAPE '\\'"
                : "lower(r.prompt COLLATE \"C\") LIKE lower(@prompt COLLATE \"C\") ESCAPE '\\'");
            parameters.Add(new("prompt", Col.Text));
        }
        if (parts.HasFlag(Parts.Cursor))
        {
            where.Add("(r.created_at, r.id) < (@after_created_at, @after_id)");
            parameters.Add(new("after_created_at", Col.Time));
            parameters.Add(new("after_id", Col.Guid));
        }
        var text = new StringBuilder(
            "SELECT r.id, r.prompt, r.sandbox_id, r.github_repo_url, r.github_branch, r.current_phase, r.created_at, r.completed_at, " +
            $"(SELECT COUNT(*) FROM {{s}}.cta_events c WHERE c.run_id = r.id AND {OpenCta}) AS open_ctas FROM ");
        text.Append(parts.HasFlag(Parts.Indexed)
            ? $"{{s}}.{SearchTable}(@match) f CROSS JOIN {{s}}.{SearchRows} k CROSS JOIN {{s}}.feature_runs r"
            : "{s}.feature_runs r");
        if (where.Count > 0)
        {
            text.Append(" WHERE ").AppendJoin(" AND ", where);
        }
        text.Append(" ORDER BY r.created_at DESC, r.id DESC LIMIT ").Append(limit.ToString(CultureInfo.InvariantCulture));
        // PostgreSQL (see the class's remarks): a search is planned for its text, every call; a statement
        // with other values runs with its generic plan (one without values has only that plan).
        var plan = provider != PipelineProvider.PostgreSql || parameters.Count == 0 ? PlanChoice.Auto
            : parts.HasFlag(Parts.Prompt) ? PlanChoice.Custom : PlanChoice.Generic;
        var page = new Sql(text.ToString(), [.. parameters], Results[..9]) { Plan = plan };
        return (parts.HasFlag(Parts.Tokens) ? new Sql(WithTokens(text.ToString()), [.. parameters], Results) { Plan = plan } : page, page);
    }

    /// <summary>
    /// The page's runs (<paramref name="page"/>, read once: MATERIALIZED) with their token totals by
    /// kind, by the rule of GetFeatureRunAsync: a completed invocation counts its own stored counts,
    /// one still running the sum of its steps so far; a kind is null when nothing reported it. The
    /// sums read only the page's runs' invocations (by <c>run_id</c>) and the steps of those still
    /// running (by <c>invocation_id</c>).
    /// </summary>
    private static string WithTokens(string page)
    {
        var counts = UsageColumns.Counts.Select(c => c.Name).ToArray();
        var sums = string.Join(", ", counts.Select(c => $"CAST(SUM(u.{c}) AS BIGINT) AS {c}"));
        return "WITH page AS MATERIALIZED (" + page + "), usage AS (SELECT u.run_id, " + sums + " FROM ("
            + $"SELECT i.run_id, {string.Join(", ", counts.Select(c => "i." + c))} FROM {{s}}.agent_invocations i "
            + "WHERE i.run_id IN (SELECT id FROM page) AND i.completed_at IS NOT NULL UNION ALL "
            + $"SELECT i.run_id, {string.Join(", ", counts.Select(c => "st." + c))} FROM {{s}}.agent_invocations i "
            + "JOIN {s}.agent_steps st ON st.invocation_id = i.id WHERE i.run_id IN (SELECT id FROM page) AND i.completed_at IS NULL"
            + ") u GROUP BY u.run_id) "
            + "SELECT p.id, p.prompt, p.sandbox_id, p.github_repo_url, p.github_branch, p.current_phase, p.created_at, p.completed_at, p.open_ctas, "
            + string.Join(", ", counts.Select(c => "t." + c))
            + " FROM page p LEFT JOIN usage t ON t.run_id = p.id ORDER BY p.created_at DESC, p.id DESC";
    }

    /// <summary><c>\</c>, <c>%</c> and <c>_</c> as plain characters in a LIKE pattern whose escape is <c>\</c>.</summary>
    internal static string EscapeLike(string text)
    {
        if (text.AsSpan().IndexOfAny('\\', '%', '_') < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '%' or '_')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The filters in their canonical form (<see cref="KeysetCursor.Filters"/>).</summary>
    private static byte[] Canonical(string? phase, RunStatus? status, DateTimeOffset? from, DateTimeOffset? to, string? repository, string? prompt) =>
        new KeysetCursor.Filters("feature_runs/2")
            .Text(phase).Long(status is { } s ? (int)s : null).Long(from?.UtcTicks).Long(to?.UtcTicks).Text(repository).Text(prompt)
            .ToArray();
}
