using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPipeline.Persistence;

/// <summary>Registers the store with Microsoft.Extensions.DependencyInjection.</summary>
public static class PipelinePersistenceServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="AddPipelinePersistence(IServiceCollection, IConfiguration, Action{PipelineDbOptions}?)"/> reads.</summary>
    public const string ConfigurationSection = "AgentPipeline";

    /// <summary>
    /// Registers one <see cref="PipelineDb"/> as a singleton, configured by <paramref name="configure"/>
    /// (e.g. <c>o =&gt; o.UseSqlite("pipeline.db")</c>). The container disposes it. A
    /// <see cref="TimeProvider"/> and an <see cref="ILoggerFactory"/> registered in the container
    /// are used unless <paramref name="configure"/> sets its own.
    /// </summary>
    public static IServiceCollection AddPipelinePersistence(this IServiceCollection services, Action<PipelineDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(provider => Open(provider, configure));
        return services;
    }

    /// <summary>
    /// Registers one <see cref="PipelineDb"/> as a singleton configured from section
    /// <c>AgentPipeline</c> of <paramref name="configuration"/>: <c>Target</c> (a SQLite path, an
    /// Npgsql connection string or a <c>postgresql://</c> URI; when absent, the connection string
    /// named <c>AgentPipeline</c>, i.e. <c>ConnectionStrings:AgentPipeline</c>) and, optionally,
    /// <c>SqliteBusyTimeout</c>, <c>SqliteMaxConnections</c>, <c>MaxValueBytes</c>,
    /// <c>TransientRetryAttempts</c>, <c>TransientRetryBaseDelay</c>, <c>LogPayloads</c>,
    /// <c>GroupCommit</c>, <c>GroupCommitMaxBatch</c>, <c>GroupCommitMinWriters</c>,
    /// <c>SecretRedaction:Enabled</c> and <c>SecretRedaction:ExtraNames</c> (a list), each as
    /// <see cref="PipelineDbOptions"/> documents it. <paramref name="configure"/> runs after, for
    /// what configuration cannot say (a custom redactor). The container's <see cref="TimeProvider"/>
    /// and <see cref="ILoggerFactory"/> are used as in the other overload.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// When the handle is first resolved: no target, a value that does not parse, or a key the
    /// section does not know (a typo), naming the key (<c>AgentPipeline:MaxValueBytes</c>).
    /// </exception>
    public static IServiceCollection AddPipelinePersistence(this IServiceCollection services, IConfiguration configuration, Action<PipelineDbOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(provider => Open(provider, options =>
        {
            Bind(configuration, options);
            configure?.Invoke(options);
        }));
        return services;
    }

    /// <summary>
    /// Opt-in: migrates the registered <see cref="PipelineDb"/> when the host starts, before any
    /// hosted service's <c>StartAsync</c> (it runs in <see cref="IHostedLifecycleService.StartingAsync"/>).
    /// A failure stops the host from starting. On an up-to-date database it costs one read.
    /// </summary>
    public static IServiceCollection AddPipelineMigrationOnStart(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PipelineMigrationService>());
        return services;
    }

    private static PipelineDb Open(IServiceProvider provider, Action<PipelineDbOptions> configure)
    {
        var options = new PipelineDbOptions();
        if (provider.GetService<TimeProvider>() is { } time)
        {
            options.TimeProvider = time;
        }
        if (provider.GetService<ILoggerFactory>() is { } logs)
        {
            options.LoggerFactory = logs;
        }
        configure(options);
        return PipelineDb.Open(options);
    }

    internal static void Bind(IConfiguration configuration, PipelineDbOptions options)
    {
        var section = configuration.GetSection(ConfigurationSection);
        var target = section["Target"] is { Length: > 0 } t ? t : configuration.GetConnectionString(ConfigurationSection);
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new ArgumentException(
                $"{ConfigurationSection}:Target is required (a SQLite path, an Npgsql connection string or a postgresql:// URI), or ConnectionStrings:{ConfigurationSection}.",
                $"{ConfigurationSection}:Target");
        }
        options.UseTarget(target);
        foreach (var child in section.GetChildren())
        {
            var key = $"{ConfigurationSection}:{child.Key}";
            switch (child.Key.ToUpperInvariant())
            {
                case "TARGET":
                    break;
                case "SQLITEBUSYTIMEOUT":
                    options.SqliteBusyTimeout = Duration(key, child.Value);
                    break;
                case "SQLITEMAXCONNECTIONS":
                    options.SqliteMaxConnections = Whole(key, child.Value, 1);
                    break;
                case "MAXVALUEBYTES":
                    options.MaxValueBytes = Whole(key, child.Value, 1);
                    break;
                case "TRANSIENTRETRYATTEMPTS":
                    options.TransientRetryAttempts = Whole(key, child.Value, 1);
                    break;
                case "TRANSIENTRETRYBASEDELAY":
                    options.TransientRetryBaseDelay = Duration(key, child.Value);
                    break;
                case "LOGPAYLOADS":
                    options.LogPayloads = Flag(key, child.Value);
                    break;
                case "GROUPCOMMIT":
                    options.GroupCommit = Flag(key, child.Value);
                    break;
                case "GROUPCOMMITMAXBATCH":
                    options.GroupCommitMaxBatch = Whole(key, child.Value, 1);
                    break;
                case "GROUPCOMMITMINWRITERS":
                    options.GroupCommitMinWriters = Whole(key, child.Value, 2);
                    break;
                case "SECRETREDACTION":
                    BindRedaction(child, options.SecretRedaction);
                    break;
                default:
                    throw new ArgumentException($"{key} is not an AgentPipeline option (see PipelineDbOptions).", key);
            }
        }
    }

    private static void BindRedaction(IConfigurationSection section, SecretRedactionOptions redaction)
    {
        foreach (var child in section.GetChildren())
        {
            var key = $"{ConfigurationSection}:SecretRedaction:{child.Key}";
            switch (child.Key.ToUpperInvariant())
            {
                case "ENABLED":
                    redaction.Enabled = Flag(key, child.Value);
                    break;
                case "EXTRANAMES":
                    foreach (var name in child.GetChildren().Select(n => n.Value).Append(child.Value))
                    {
                        if (!string.IsNullOrWhiteSpace(name))
                        {
                            redaction.ExtraNames.Add(name.Trim());
                        }
                    }
                    break;
                default:
                    throw new ArgumentException($"{key} is not a SecretRedaction option (Enabled, ExtraNames).", key);
            }
        }
    }

    private static int Whole(string key, string? value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"{key} must be a whole number of at least {min}; got '{value}'.", key);

    private static bool Flag(string key, string? value) =>
        bool.TryParse(value, out var b) ? b : throw new ArgumentException($"{key} must be true or false; got '{value}'.", key);

    private static TimeSpan Duration(string key, string? value) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var d) && d > TimeSpan.Zero
            ? d
            : throw new ArgumentException($"{key} must be a positive duration such as 00:00:30; got '{value}'.", key);

    /// <summary>Migrates before every hosted service starts (see <see cref="AddPipelineMigrationOnStart"/>).</summary>
    private sealed class PipelineMigrationService(PipelineDb db) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => db.MigrateAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
