using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Reading;

/// <summary>Runs through the library's public reads: pages, counts, one run's table line.</summary>
internal static class RunReads
{
    /// <summary>The largest page the library lists; walks over every run use it.</summary>
    public const int WalkPageSize = FeatureRunQuery.MaxPageSize;

    /// <summary>A page of runs through <see cref="PipelinePersistence.ListFeatureRunsAsync"/>, with their tokens (one statement).</summary>
    public static async Task<(IReadOnlyList<RunListItem> Runs, string? NextCursor)> PageAsync(
        PipelineDb db, FeatureRunQuery query, CancellationToken cancellationToken)
    {
        var page = await PipelinePersistence.ListFeatureRunsAsync(db, query with { IncludeTokens = true }, cancellationToken);
        var items = new List<RunListItem>(page.Items.Count);
        foreach (var run in page.Items)
        {
            items.Add(Item(run.Id, run.Prompt, run.CurrentPhase, run.CreatedAt, run.CompletedAt, run.Tokens?.TotalTokens ?? 0, run.OpenCtaCount));
        }
        return (items, page.NextCursor);
    }

    /// <summary>How many runs are in <paramref name="phase"/> (all runs when null): a walk over the pages of ids.</summary>
    public static async Task<int> CountAsync(PipelineDb db, FeaturePhase? phase, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in AllAsync(db, new FeatureRunQuery { Phase = phase }, cancellationToken))
        {
            count++;
        }
        return count;
    }

    /// <summary>Every run <paramref name="query"/> matches, newest first, a page of <see cref="WalkPageSize"/> at a time.</summary>
    public static async IAsyncEnumerable<FeatureRunSummary> AllAsync(
        PipelineDb db, FeatureRunQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await PipelinePersistence.ListFeatureRunsAsync(db, query with { PageSize = WalkPageSize, Cursor = cursor }, cancellationToken);
            foreach (var run in page.Items)
            {
                yield return run;
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>The given runs' table lines, in the given order; a run that is gone is left out.</summary>
    public static async Task<IReadOnlyList<RunListItem>> ReadAsync(PipelineDb db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var items = new List<RunListItem>(ids.Count);
        foreach (var id in ids)
        {
            FeatureRun run;
            try
            {
                run = await PipelinePersistence.GetFeatureRunAsync(db, id, cancellationToken);
            }
            catch (RecordNotFoundException)
            {
                continue;
            }
            items.Add(Item(run.Id, run.Prompt, run.CurrentPhase, run.CreatedAt, run.CompletedAt, run.Tokens.TotalTokens ?? 0, run.OpenCtaCount));
        }
        return items;
    }

    private static RunListItem Item(
        Guid id, string prompt, FeaturePhase phase, DateTimeOffset createdAt, DateTimeOffset? completedAt, long tokens, int openCtas) => new(
        id,
        ShortId.Of(id),
        prompt,
        Format.Name(phase),
        createdAt,
        completedAt,
        Format.Milliseconds(Format.Between(createdAt, completedAt)),
        tokens,
        openCtas);
}
