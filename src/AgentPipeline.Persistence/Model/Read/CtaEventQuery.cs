namespace AgentPipeline.Persistence;

/// <summary>What <see cref="PipelinePersistence.ListCtaEventsAsync"/> lists: oldest first (<c>requested_at</c>, then id).</summary>
public sealed record CtaEventQuery
{
    /// <summary>The most a page holds.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Only this run's CTAs; null for every run's.</summary>
    public Guid? RunId { get; init; }

    /// <summary>Open (the default), resolved, or all.</summary>
    public CtaEventState State { get; init; } = CtaEventState.Open;

    /// <summary>The page size (as FeatureRunQuery.PageSize), 1 to <see cref="MaxPageSize"/>; 100 by default.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>
    /// Where to continue: a previous page's <see cref="CtaEventPage.NextCursor"/>; null for the first page.
    /// The cursor names the last CTA seen, so CTAs added meanwhile are found when they sort after it.
    /// It continues only the query that returned it: with another <see cref="RunId"/> or <see cref="State"/>
    /// (or a cursor of ListFeatureRunsAsync) the call throws <see cref="ArgumentException"/> naming <c>query.Cursor</c>.
    /// </summary>
    public string? Cursor { get; init; }
}
