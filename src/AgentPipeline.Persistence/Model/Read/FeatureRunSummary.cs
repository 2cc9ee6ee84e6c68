namespace AgentPipeline.Persistence;

/// <summary>
/// One run as <see cref="PipelinePersistence.ListFeatureRunsAsync"/> lists it: every column of
/// <c>feature_runs</c> as written, and where the run stands. For its sandbox, phases, token totals
/// and content, read the run by its id.
/// </summary>
public sealed record FeatureRunSummary
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>prompt</c>: the feature request.</summary>
    public required string Prompt { get; init; }

    /// <summary><c>sandbox_id</c>: the sandbox the run works in, if any.</summary>
    public string? SandboxId { get; init; }

    /// <summary><c>github_repo_url</c>.</summary>
    public string? GithubRepoUrl { get; init; }

    /// <summary><c>github_branch</c>.</summary>
    public string? GithubBranch { get; init; }

    /// <summary><c>current_phase</c>: a working phase, or completed / failed.</summary>
    public required FeaturePhase CurrentPhase { get; init; }

    /// <summary><c>created_at</c> (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>completed_at</c> (UTC): when the run completed or failed; null while it works.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Where the run stands, from <see cref="CurrentPhase"/> and <see cref="OpenCtaCount"/>.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Its CTAs that are neither answered nor timed out.</summary>
    public required int OpenCtaCount { get; init; }

    /// <summary>With <see cref="FeatureRunQuery.IncludeTokens"/>: token totals by kind over all the run's invocations,
    /// by the rule of <see cref="FeatureRun.Tokens"/> (a completed invocation counts its own stored counts, one still
    /// running the sum of its steps so far; a kind is null when nothing reported it; <see cref="TokenUsage.Raw"/> is
    /// always null). Null when the query did not ask for them.</summary>
    public TokenUsage? Tokens { get; init; }
}
