namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreatePhaseResultAsync"/>: a phase starts (<c>status</c> running).</summary>
public sealed record NewPhaseResult
{
    /// <summary>Caller-chosen id for idempotent replays; a UUIDv7 is made when null.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>run_id</c>: the feature run. Required; the run must not be completed or failed.</summary>
    public required Guid RunId { get; init; }
    /// <summary><c>phase</c>: one of the five working phases.</summary>
    public required FeaturePhase Phase { get; init; }
}
