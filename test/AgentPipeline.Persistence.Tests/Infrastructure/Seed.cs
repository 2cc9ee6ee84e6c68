using System.Text.Json;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>Short ways to get the parents a test needs.</summary>
public static class Seed
{
    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static Task<Guid> RunAsync(PipelineDb db, string prompt = "Add dark mode") =>
        PipelinePersistence.CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = prompt });

    public static async Task<(Guid Run, Guid Phase)> PhaseAsync(PipelineDb db, FeaturePhase phase = FeaturePhase.Analysis)
    {
        var run = await RunAsync(db);
        var id = await PipelinePersistence.CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run, Phase = phase });
        return (run, id);
    }

    public static async Task<(Guid Run, Guid Phase, Guid Invocation)> InvocationAsync(PipelineDb db)
    {
        var (run, phase) = await PhaseAsync(db);
        var invocation = await PipelinePersistence.CreateAgentInvocationAsync(db, new NewAgentInvocation
        {
            PhaseResultId = phase,
            AgentType = AgentType.Orchestrator,
        });
        return (run, phase, invocation);
    }

    public static async Task<(Guid Run, Guid Invocation, Guid Step)> StepAsync(PipelineDb db)
    {
        var (run, _, invocation) = await InvocationAsync(db);
        var step = await PipelinePersistence.CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0 });
        return (run, invocation, step);
    }

    /// <summary>A parent of every kind a create can name (run, phase, invocation, step, sandbox), for input-check suites.</summary>
    public static async Task<(Guid Run, Guid Phase, Guid Invocation, Guid Step, string Sandbox)> ParentsAsync(PipelineDb db)
    {
        var (run, phase, invocation) = await InvocationAsync(db);
        var step = await PipelinePersistence.CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0 });
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        await PipelinePersistence.CreateSandboxRecordAsync(db, new NewSandboxRecord { Id = sandbox });
        return (run, phase, invocation, step, sandbox);
    }
}
