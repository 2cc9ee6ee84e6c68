using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewFeatureRun>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>feature_runs: one run of the pipeline for a feature request (data-model.md).</summary>
internal static class FeatureRuns
{
    public const string Name = "feature_runs";

    /// <summary>What <c>CreateFeatureRun</c> writes from <see cref="NewFeatureRun"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewFeatureRun> Create = new(Name,
    [
        C.NewId("id", d => d.Id),
        C.Required("prompt", d => d.Prompt),
        C.KeyOrNull("sandbox_id", d => d.SandboxId),
        C.OptionalKey("github_repo_url", d => d.GithubRepoUrl),
        C.Text("github_branch", d => d.GithubBranch),
    ]);

    /// <summary><c>current_phase</c> starts at analysis and moves on by the state functions; <c>created_at</c> and <c>completed_at</c> are stamped.</summary>
    public static readonly TableDefinition Definition = new(Name,
        [new("current_phase", Col.Text, false), new("created_at", Col.Time, false), new("completed_at", Col.Time, true)],
        Create.Shapes);

    private static readonly Columns Columns = Create.Columns;

    public static readonly CreateSpec Insert = new(Name, Columns, new Sql(
        $"INSERT INTO {{s}}.feature_runs ({Columns.Names}, current_phase, created_at) VALUES ({Columns.Params}, 'analysis', @created_at) ON CONFLICT (id) DO NOTHING",
        [.. Columns.Items, new("created_at", Col.Time)]));
}
