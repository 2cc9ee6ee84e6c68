namespace AgentPipeline.Persistence;

/// <summary>A page of <see cref="PipelinePersistence.ListFeatureRunsAsync"/>.</summary>
public sealed record FeatureRunPage
{
    /// <summary>The runs, newest first.</summary>
    public IReadOnlyList<FeatureRunSummary> Items { get; init; } = [];

    /// <summary>The cursor of the next page (<see cref="FeatureRunQuery.Cursor"/>); null when this page is the last.</summary>
    public string? NextCursor { get; init; }
}
