namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateFeatureRunAsync"/>: one row of <c>feature_runs</c>.</summary>
public sealed record NewFeatureRun
{
    /// <summary>Caller-chosen id for idempotent replays; a UUIDv7 is made when null.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>prompt</c>: the user's feature request. Required.</summary>
    public required string Prompt { get; init; }
    /// <summary><c>sandbox_id</c>: the sandbox the run works in; its <c>run_id</c> is filled with this run's id.</summary>
    public string? SandboxId { get; init; }
    /// <summary><c>github_repo_url</c>: at most 1,024 characters (it is indexed, and an index entry is bounded), like an id.</summary>
    public string? GithubRepoUrl { get; init; }
    /// <summary><c>github_branch</c>.</summary>
    public string? GithubBranch { get; init; }
}
