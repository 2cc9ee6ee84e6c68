namespace AgentPipeline.Persistence;

/// <summary>Which CTAs <see cref="PipelinePersistence.ListCtaEventsAsync"/> lists.</summary>
public enum CtaEventState
{
    /// <summary>Neither answered nor timed out.</summary>
    Open,
    /// <summary>Answered or timed out.</summary>
    Resolved,
    /// <summary>Every CTA.</summary>
    All,
}
