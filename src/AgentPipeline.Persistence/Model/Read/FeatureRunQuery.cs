namespace AgentPipeline.Persistence;

/// <summary>
/// What <see cref="PipelinePersistence.ListFeatureRunsAsync"/> lists: runs newest first
/// (<c>created_at</c>, then id, both descending), narrowed by every filter that is set. Every
/// filter is optional; an empty query lists all runs.
/// </summary>
public sealed record FeatureRunQuery
{
    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The longest <see cref="PromptContains"/>, in characters.</summary>
    public const int MaxPromptContainsChars = 4096;

    /// <summary>Only runs whose <c>current_phase</c> is this one.</summary>
    public FeaturePhase? Phase { get; init; }

    /// <summary>
    /// Only runs that stand this way: <see cref="RunStatus.Completed"/> and <see cref="RunStatus.Failed"/>
    /// by <c>current_phase</c>; <see cref="RunStatus.WaitingForHuman"/> is a run in a working phase with
    /// at least one open CTA (neither answered nor timed out), <see cref="RunStatus.Running"/> one without.
    /// </summary>
    public RunStatus? Status { get; init; }

    /// <summary>Only runs created at or after this instant (inclusive). Any offset is an exact instant.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Only runs created before this instant (exclusive), so consecutive ranges never share a run.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Only runs whose <c>github_repo_url</c> is exactly this text.</summary>
    public string? Repository { get; init; }

    /// <summary>
    /// Only runs whose prompt contains this text. ASCII letters match regardless of case (<c>a</c>
    /// finds <c>A</c>); every other character, including non-ASCII letters, matches only itself, the
    /// same on both providers. <c>%</c>, <c>_</c> and <c>\</c> are plain characters here, not
    /// wildcards. A trigram index finds the runs whose prompt may contain a text of three characters
    /// or more (SQLite: FTS5's trigram tokenizer; PostgreSQL: pg_trgm, where the server has it), and
    /// the rule above decides. A shorter text, a text in a thousand runs or more (SQLite), or a
    /// PostgreSQL database without pg_trgm reads the runs newest first until a page is full, which
    /// is quick when many runs match.
    /// </summary>
    public string? PromptContains { get; init; }

    /// <summary>
    /// Whether each listed run carries its token totals (<see cref="FeatureRunSummary.Tokens"/>), summed in
    /// the same statement from the page's runs' invocations: it costs a page of 20 runs with about ten
    /// invocations each some tenths of a millisecond more (docs/performance.md). False by default.
    /// </summary>
    public bool IncludeTokens { get; init; }

    /// <summary>How many runs a page holds at most: 1 to <see cref="MaxPageSize"/>, 50 by default.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>
    /// Where to continue: the <see cref="FeatureRunPage.NextCursor"/> of the previous page of the same
    /// query (same filters; the page size may change); null for the first page. A cursor names the
    /// last run seen, so runs created meanwhile appear at the head of a new first page, never in later pages.
    /// </summary>
    public string? Cursor { get; init; }
}
