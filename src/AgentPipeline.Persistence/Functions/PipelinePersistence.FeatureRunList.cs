using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    /// <summary>
    /// A page of runs, newest first (<c>created_at</c>, then id, both descending), narrowed by the
    /// query's filters. Pages are keyset pages: pass a page's <see cref="FeatureRunPage.NextCursor"/>
    /// as the next query's <see cref="FeatureRunQuery.Cursor"/>, with the same filters. Walking the
    /// pages returns every run that matched when the walk began exactly once, however many runs are
    /// created meanwhile (new runs sort before the cursor, so they appear on a new first page, not in
    /// later pages), and runs created in the same microsecond are told apart by their id. A page
    /// costs the same at any depth: each is one index range that starts where the last one stopped.
    /// </summary>
    /// <returns>Up to <see cref="FeatureRunQuery.PageSize"/> runs and the next page's cursor, null on the last page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="db"/> or <paramref name="query"/> is null.</exception>
    /// <exception cref="ArgumentException">A field of <paramref name="query"/> is out of range or malformed (the exception names it):
    /// an unknown phase or status, a <c>default</c> instant, <see cref="FeatureRunQuery.CreatedFrom"/> after
    /// <see cref="FeatureRunQuery.CreatedTo"/>, an over-long repository or search text, an empty search text, a page size outside
    /// 1 to <see cref="FeatureRunQuery.MaxPageSize"/>, or a cursor that is not one this function returned for the same filters.
    /// Nothing was read.</exception>
    /// <exception cref="SchemaMissingException">The database has not been migrated.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<FeatureRunPage> ListFeatureRunsAsync(PipelineDb db, FeatureRunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(query);
        var listing = FeatureRunListing.For(query, db.Dialect.Kind);
        var rows = await db.RunAsync(write: false, (session, ct) => listing.ReadAsync(session, ct), cancellationToken)
            .ConfigureAwait(false);
        return listing.Page(rows);
    }
}
