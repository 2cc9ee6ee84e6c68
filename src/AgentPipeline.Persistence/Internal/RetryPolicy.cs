namespace AgentPipeline.Persistence.Internal;

/// <summary>Exponential backoff with jitter for transient PostgreSQL failures.</summary>
internal sealed class RetryPolicy(int maxAttempts, TimeSpan baseDelay)
{
    public int MaxAttempts { get; } = Math.Max(1, maxAttempts);

    public TimeSpan Delay(int attempt)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 10));
        // Real time, not the injected clock: a test's frozen clock must not freeze the backoff.
        return TimeSpan.FromMilliseconds(Math.Min(exponential, 5_000) * (0.5 + Random.Shared.NextDouble() / 2));
    }
}
