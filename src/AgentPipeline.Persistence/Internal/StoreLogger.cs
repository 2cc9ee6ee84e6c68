using Microsoft.Extensions.Logging;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The store's only log lines. They name the operation's outcome, the provider's error code and
/// the database without credentials; the provider's message (which may quote values) only when
/// <see cref="PipelineDbOptions.LogPayloads"/> is on.
/// </summary>
internal sealed partial class StoreLogger(ILoggerFactory factory, PipelineDbOptions options)
{
    private readonly ILogger _logger = factory.CreateLogger("AgentPipeline.Persistence");
    private readonly string _database = SafeTarget.Describe(options);
    private readonly bool _payloads = options.LogPayloads;

    public void TransientRetry(int attempt, int maxAttempts, PipelineDatabaseException e)
    {
        var code = e.InnerException is Npgsql.PostgresException pg ? pg.SqlState : e.InnerException?.GetType().Name ?? "unknown";
        if (_payloads)
        {
            RetryWithMessage(_logger, attempt, maxAttempts, _database, code, e.Message);
        }
        else
        {
            Retry(_logger, attempt, maxAttempts, _database, code);
        }
    }

    /// <summary>The CTA listener's connection failed or was lost; it connects again (and re-checks every waited-for CTA).</summary>
    public void CtaListenerLost(Exception e) =>
        CtaListenerLostMessage(_logger, _database, e is Npgsql.PostgresException pg ? pg.SqlState : e.GetType().Name);

    /// <summary>A poll for resolved CTAs failed; the next one tries again.</summary>
    public void CtaPollFailed(Exception e) =>
        CtaPollFailedMessage(_logger, _database, e.InnerException is Npgsql.PostgresException pg ? pg.SqlState : (e.InnerException ?? e).GetType().Name);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The CTA listener on {Database} lost its connection ({Code}); connecting again.")]
    private static partial void CtaListenerLostMessage(ILogger logger, string database, string code);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Polling {Database} for resolved CTAs failed ({Code}); the next poll tries again.")]
    private static partial void CtaPollFailedMessage(ILogger logger, string database, string code);

    public void Migrated(int applied, string latest) => MigratedMessage(_logger, _database, applied, latest);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Migrated {Database}: applied {Applied} migration(s), now at {Latest}.")]
    private static partial void MigratedMessage(ILogger logger, string database, int applied, string latest);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Transient database failure on {Database} ({Code}); retrying, attempt {Attempt} of {MaxAttempts}.")]
    private static partial void Retry(ILogger logger, int attempt, int maxAttempts, string database, string code);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Transient database failure on {Database} ({Code}): {Error}; retrying, attempt {Attempt} of {MaxAttempts}.")]
    private static partial void RetryWithMessage(ILogger logger, int attempt, int maxAttempts, string database, string code, string error);
}
