using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>phase_results</c> as stored.
/// </summary>
public sealed record PhaseResult
{
    /// <summary><c>id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary><c>run_id</c>.</summary>
    public required Guid RunId { get; init; }

    /// <summary><c>phase</c>: one of the five working phases.</summary>
    public required FeaturePhase Phase { get; init; }

    /// <summary><c>status</c>.</summary>
    public required PhaseStatus Status { get; init; }

    /// <summary><c>output</c> (set when it passed), with the text written; null when a tree was read without content.</summary>
    public JsonElement? Output { get; init; }

    /// <summary><c>started_at</c> (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary><c>completed_at</c> (UTC).</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}
