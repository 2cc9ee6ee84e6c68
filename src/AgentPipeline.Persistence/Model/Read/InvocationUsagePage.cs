namespace AgentPipeline.Persistence;

/// <summary>A page of <see cref="PipelinePersistence.ListInvocationUsageAsync"/>.</summary>
public sealed record InvocationUsagePage
{
    /// <summary>The invocations' usage rows, oldest first.</summary>
    public IReadOnlyList<InvocationUsage> Items { get; init; } = [];

    /// <summary>The cursor of the next page (<see cref="InvocationUsageQuery.Cursor"/>); null when this page is the last.</summary>
    public string? NextCursor { get; init; }
}
