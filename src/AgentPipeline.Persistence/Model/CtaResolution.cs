namespace AgentPipeline.Persistence;

/// <summary>How a CTA was resolved: answered (<see cref="Response"/> set) or timed out.</summary>
/// <param name="TimedOut">True when <see cref="PipelinePersistence.TimeoutCtaEventAsync"/> won.</param>
/// <param name="Response">The stored answer when the CTA was answered; null when it timed out.</param>
/// <param name="ResolvedAt"><c>responded_at</c>: when the answer or the timeout was stored (UTC).</param>
public sealed record CtaResolution(bool TimedOut, CtaResponse? Response, DateTimeOffset ResolvedAt);
