namespace AgentPipeline.Persistence;

/// <summary>
/// The CTA was already answered or timed out by another call (the race's loser gets this). Nothing
/// was written; <see cref="Resolution"/> is what won.
/// </summary>
public sealed class CtaAlreadyResolvedException : PipelinePersistenceException
{
    /// <summary>Creates the exception.</summary>
    public CtaAlreadyResolvedException(Guid ctaId, CtaResolution resolution)
        : base($"CTA '{ctaId}' was already {(resolution.TimedOut ? "timed out" : "answered")} at {resolution.ResolvedAt:O}.")
    {
        CtaId = ctaId;
        Resolution = resolution;
    }

    /// <summary>The CTA's id.</summary>
    public Guid CtaId { get; }

    /// <summary>The winning resolution as stored.</summary>
    public CtaResolution Resolution { get; }
}
