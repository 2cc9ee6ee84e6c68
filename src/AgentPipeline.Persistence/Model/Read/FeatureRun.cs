namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>feature_runs</c> as stored, with its sandbox and facts derived when it was read:
/// its <see cref="Status"/>, <see cref="Duration"/>, token totals and open CTAs.
/// </summary>
public sealed record FeatureRun
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>prompt</c>.</summary>
    public required string Prompt { get; init; }

    /// <summary><c>sandbox_id</c>.</summary>
    public string? SandboxId { get; init; }

    /// <summary><c>github_repo_url</c>.</summary>
    public string? GithubRepoUrl { get; init; }

    /// <summary><c>github_branch</c>.</summary>
    public string? GithubBranch { get; init; }

    /// <summary><c>current_phase</c>.</summary>
    public required FeaturePhase CurrentPhase { get; init; }

    /// <summary><c>created_at</c> (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>completed_at</c>: when it completed or failed (UTC).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The sandbox named by <c>sandbox_id</c>, with its snapshots; null when the run has none.</summary>
    public Sandbox? Sandbox { get; init; }

    /// <summary>Completed or failed from <c>current_phase</c>; otherwise waiting for a human while a CTA is open, else running.</summary>
    public required RunStatus Status { get; init; }

    /// <summary><c>completed_at</c> − <c>created_at</c> once it has ended; null while it runs (the elapsed time so far is the caller's clock minus <see cref="CreatedAt"/>).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Token totals by kind over all the run's invocations (sub-agents included): a completed
    /// invocation counts its own stored counts; one still running counts the sum of its steps so far. A kind is null
    /// when no invocation or step reported it. <see cref="TokenUsage.Raw"/> is always null.</summary>
    public required TokenUsage Tokens { get; init; }

    /// <summary>How many of its CTAs are neither answered nor timed out.</summary>
    public int OpenCtaCount { get; init; }
}
