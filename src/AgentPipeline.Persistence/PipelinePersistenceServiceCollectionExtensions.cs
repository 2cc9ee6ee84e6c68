using Microsoft.Extensions.DependencyInjection;

namespace AgentPipeline.Persistence;

/// <summary>Registers the store with Microsoft.Extensions.DependencyInjection.</summary>
public static class PipelinePersistenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="PipelineDb"/> as a singleton, configured by <paramref name="configure"/>
    /// (e.g. <c>o =&gt; o.UseSqlite("pipeline.db")</c>). The container disposes it.
    /// </summary>
    public static IServiceCollection AddPipelinePersistence(this IServiceCollection services, Action<PipelineDbOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PipelineDbOptions();
        configure(options);
        services.AddSingleton(_ => PipelineDb.Open(options));
        return services;
    }
}
