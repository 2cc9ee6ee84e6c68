namespace AgentPipeline.Persistence.Schema;

/// <summary>One row of <c>feature_runs</c>; see data-model.md for each column.</summary>
internal sealed class FeatureRunRow
{
    public Guid Id { get; set; }
    public string Prompt { get; set; } = null!;
    public string? SandboxId { get; set; }
    public string? GithubRepoUrl { get; set; }
    public string? GithubBranch { get; set; }
    public FeaturePhase CurrentPhase { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
