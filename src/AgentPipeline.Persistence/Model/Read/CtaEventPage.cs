namespace AgentPipeline.Persistence;

/// <summary>A page of <see cref="PipelinePersistence.ListCtaEventsAsync"/>.</summary>
public sealed record CtaEventPage
{
    /// <summary>The CTAs, oldest first.</summary>
    public IReadOnlyList<CtaEvent> Items { get; init; } = [];

    /// <summary>The cursor of the next page (<see cref="CtaEventQuery.Cursor"/>); null when this page is the last.</summary>
    public string? NextCursor { get; init; }
}
