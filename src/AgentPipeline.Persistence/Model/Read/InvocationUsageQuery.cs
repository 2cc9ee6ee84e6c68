namespace AgentPipeline.Persistence;

/// <summary>
/// What <see cref="PipelinePersistence.ListInvocationUsageAsync"/> lists: one narrow usage row per agent
/// invocation (sub-agents included), oldest first (<c>started_at</c>, then id), narrowed by every
/// filter that is set. An empty query lists every invocation of every run.
/// </summary>
public sealed record InvocationUsageQuery
{
    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Only this run's invocations; null for every run's.</summary>
    public Guid? RunId { get; init; }

    /// <summary>Only invocations that started at or after this instant (inclusive). Any offset is an exact instant.</summary>
    public DateTimeOffset? StartedFrom { get; init; }

    /// <summary>Only invocations that started before this instant (exclusive), so consecutive ranges never share one.</summary>
    public DateTimeOffset? StartedTo { get; init; }

    /// <summary>How many rows a page holds at most: 1 to <see cref="MaxPageSize"/>, 100 by default.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>
    /// Where to continue: a previous page's <see cref="InvocationUsagePage.NextCursor"/>, with the same
    /// filters; null for the first page. The cursor names the last invocation seen, so invocations that
    /// start meanwhile are found when they sort after it. With another run or range (or another
    /// listing's cursor) the call throws <see cref="ArgumentException"/> naming <c>query.Cursor</c>.
    /// </summary>
    public string? Cursor { get; init; }
}
