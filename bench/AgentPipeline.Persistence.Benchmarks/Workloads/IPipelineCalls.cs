using System.Text.Json;

namespace AgentPipeline.Persistence.Benchmarks.Workloads;

/// <summary>
/// The functions the benchmarks call, with one implementation per side of a comparison: ours
/// (<see cref="OursCalls"/>, the library), the baseline (<see cref="Baseline.RawStore"/>) and
/// naive EF Core (<see cref="Naive.EfNaiveStore"/>). Same records in, same results out.
/// </summary>
internal interface IPipelineCalls
{
    Task<Guid> CreateFeatureRunAsync(NewFeatureRun data, CancellationToken cancellationToken = default);

    Task UpdateFeatureRunPhaseAsync(Guid runId, FeaturePhase phase, CancellationToken cancellationToken = default);

    Task CompleteFeatureRunAsync(Guid runId, CancellationToken cancellationToken = default);

    Task<Guid> CreatePhaseResultAsync(NewPhaseResult data, CancellationToken cancellationToken = default);

    Task PassPhaseResultAsync(Guid phaseResultId, JsonElement? output, CancellationToken cancellationToken = default);

    Task<Guid> CreateAgentInvocationAsync(NewAgentInvocation data, CancellationToken cancellationToken = default);

    Task CompleteAgentInvocationAsync(Guid invocationId, AgentInvocationCompletion data, CancellationToken cancellationToken = default);

    Task<Guid> CreateAgentStepAsync(NewAgentStep data, CancellationToken cancellationToken = default);

    Task<Guid> CreateToolCallAsync(NewToolCall data, CancellationToken cancellationToken = default);

    Task<Guid> CreateMemoryRecordAsync(NewMemoryRecord data, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MemoryRecord>> GetMemoryRecordsAsync(Guid runId, CancellationToken cancellationToken = default);

    Task<Guid> CreateCtaEventAsync(NewCtaEvent data, CancellationToken cancellationToken = default);

    Task CompleteCtaEventAsync(Guid ctaId, CtaResponse response, CancellationToken cancellationToken = default);
}

/// <summary>The library, called exactly as a user calls it: <see cref="PipelinePersistence"/> with one shared <see cref="PipelineDb"/>.</summary>
internal sealed class OursCalls(PipelineDb db) : IPipelineCalls
{
    public Task<Guid> CreateFeatureRunAsync(NewFeatureRun data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreateFeatureRunAsync(db, data, cancellationToken);

    public Task UpdateFeatureRunPhaseAsync(Guid runId, FeaturePhase phase, CancellationToken cancellationToken = default) =>
        PipelinePersistence.UpdateFeatureRunPhaseAsync(db, runId, phase, cancellationToken);

    public Task CompleteFeatureRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CompleteFeatureRunAsync(db, runId, cancellationToken);

    public Task<Guid> CreatePhaseResultAsync(NewPhaseResult data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreatePhaseResultAsync(db, data, cancellationToken);

    public Task PassPhaseResultAsync(Guid phaseResultId, JsonElement? output, CancellationToken cancellationToken = default) =>
        PipelinePersistence.PassPhaseResultAsync(db, phaseResultId, output, cancellationToken);

    public Task<Guid> CreateAgentInvocationAsync(NewAgentInvocation data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreateAgentInvocationAsync(db, data, cancellationToken);

    public Task CompleteAgentInvocationAsync(Guid invocationId, AgentInvocationCompletion data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CompleteAgentInvocationAsync(db, invocationId, data, cancellationToken);

    public Task<Guid> CreateAgentStepAsync(NewAgentStep data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreateAgentStepAsync(db, data, cancellationToken);

    public Task<Guid> CreateToolCallAsync(NewToolCall data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreateToolCallAsync(db, data, cancellationToken);

    public Task<Guid> CreateMemoryRecordAsync(NewMemoryRecord data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreateMemoryRecordAsync(db, data, cancellationToken);

    public Task<IReadOnlyList<MemoryRecord>> GetMemoryRecordsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        PipelinePersistence.GetMemoryRecordsAsync(db, runId, cancellationToken);

    public Task<Guid> CreateCtaEventAsync(NewCtaEvent data, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CreateCtaEventAsync(db, data, cancellationToken);

    public Task CompleteCtaEventAsync(Guid ctaId, CtaResponse response, CancellationToken cancellationToken = default) =>
        PipelinePersistence.CompleteCtaEventAsync(db, ctaId, response, cancellationToken);
}
