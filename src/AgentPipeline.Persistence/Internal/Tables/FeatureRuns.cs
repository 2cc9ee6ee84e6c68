using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewFeatureRun>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>feature_runs: one run of the pipeline for a feature request (data-model.md).</summary>
internal static class FeatureRuns
{
    public const string Name = "feature_runs";

    public static readonly C Id = C.NewId("id", d => d.Id);

    /// <summary>What <c>CreateFeatureRun</c> writes from <see cref="NewFeatureRun"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewFeatureRun> Create = new(Name,
    [
        Id,
        C.Required("prompt", d => d.Prompt),
        C.KeyOrNull("sandbox_id", d => d.SandboxId),
        C.OptionalKey("github_repo_url", d => d.GithubRepoUrl),
        C.Text("github_branch", d => d.GithubBranch),
    ]);

    public static readonly ColumnShape CurrentPhase = new("current_phase", Col.Text, false);
    public static readonly ColumnShape CreatedAt = new("created_at", Col.Time, false);
    public static readonly ColumnShape CompletedAt = new("completed_at", Col.Time, true);

    /// <summary><c>current_phase</c> starts at analysis and moves on by the state functions; <c>created_at</c> and <c>completed_at</c> are stamped.</summary>
    public static readonly TableDefinition Definition = new(Name, [CurrentPhase, CreatedAt, CompletedAt], Create.Shapes);

    /// <summary>The condition "the run (as <paramref name="alias"/>) has not ended": its phase is neither completed nor failed.</summary>
    public static Statement.Condition Open(string? alias = null) => Statement.IsNone(CurrentPhase, alias, FeaturePhase.Completed, FeaturePhase.Failed);

    private static readonly Columns Columns = Create.Columns;

    public static readonly CreateSpec Insert = new(Name, Columns, new Sql(
        $"INSERT INTO {{s}}.feature_runs ({Columns.Names}, current_phase, created_at) VALUES ({Columns.Params}, 'analysis', @created_at) ON CONFLICT (id) DO NOTHING",
        [.. Columns.Items, new("created_at", Col.Time)]));
}
