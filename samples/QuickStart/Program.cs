// A small consumer of the AgentPipeline.Persistence package, built against the packed package
// (see nuget.config): records a run with one agent step, leaves a memory note, asks a human a
// question and, while an orchestrator waits for it, answers it from a second handle (as a person
// would from another process), then reads the run back. Usage: dotnet run [-- <database path>]
using System.Text.Json;
using AgentPipeline.Persistence;
using static AgentPipeline.Persistence.PipelinePersistence;

var path = args.Length > 0 ? args[0] : "quickstart.db";
await using var db = PipelineDb.Open(path);
await db.MigrateAsync();

var runId = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Add CSV export to the orders page" });
var phaseId = await CreatePhaseResultAsync(db, new NewPhaseResult { RunId = runId, Phase = FeaturePhase.Analysis });
var invocationId = await CreateAgentInvocationAsync(db, new NewAgentInvocation
{
    PhaseResultId = phaseId,
    AgentType = AgentType.Explorer,
    ModelProvider = "openai",
    ModelId = "gpt-5",
    SystemPrompt = "You explore the repository and report what a change touches.",
    InputMessages = JsonDocument.Parse("""[{"role":"user","content":"Where are orders rendered?"}]""").RootElement,
});
await CreateAgentStepAsync(db, new NewAgentStep
{
    InvocationId = invocationId,
    StepNumber = 0,
    Text = "Orders are rendered by OrdersPage.tsx.",
    FinishReason = FinishReason.Stop,
    Usage = new TokenUsage { InputTokens = 1200, OutputTokens = 40, TotalTokens = 1240 },
});
await CompleteAgentInvocationAsync(db, invocationId, new AgentInvocationCompletion
{
    FinishReason = FinishReason.Stop,
    OutputText = "Orders are rendered by OrdersPage.tsx.",
    StepCount = 1,
    Usage = new TokenUsage { InputTokens = 1200, OutputTokens = 40, TotalTokens = 1240 },
});
await CreateMemoryRecordAsync(db, new NewMemoryRecord
{
    PhaseResultId = phaseId, InvocationId = invocationId, Kind = MemoryKind.Constraint,
    Content = "The orders API is public: do not change its shape.",
});

var ctaId = await CreateCtaEventAsync(db, new NewCtaEvent
{
    RunId = runId, PhaseResultId = phaseId, Kind = CtaKind.Approval, RequestMessage = "Export all columns?",
});
var waiting = WaitForCtaResolutionAsync(db, ctaId, TimeSpan.FromDays(7));
await using (var human = PipelineDb.Open(path))
{
    await CompleteCtaEventAsync(human, ctaId, CtaResponse.Approve("yes, all of them"));
}
var answer = await waiting;
Console.WriteLine($"the human answered: approved={answer.Response?.Approved}, \"{answer.Response?.Reason}\"");

await PassPhaseResultAsync(db, phaseId, JsonDocument.Parse("""{"files":["OrdersPage.tsx"]}""").RootElement);
await CompleteFeatureRunAsync(db, runId);

var run = await GetFeatureRunAsync(db, runId);
Console.WriteLine($"run {run.Id}: {run.Status}, {run.Tokens.TotalTokens} tokens, {run.OpenCtaCount} open CTA(s)");
var tree = await GetRunTreeAsync(db, runId, new RunTreeOptions { IncludeContent = true });
foreach (var phase in tree.Phases)
{
    Console.WriteLine($"  {phase.Phase.Phase}: {phase.Phase.Status}, output {phase.Phase.Output?.GetRawText()}");
    foreach (var agent in phase.Invocations)
    {
        Console.WriteLine($"    {agent.Invocation.AgentType} ({agent.Invocation.ModelId}): {agent.Steps.Count} step(s), \"{agent.Invocation.OutputText}\"");
    }
}
foreach (var note in tree.MemoryRecords)
{
    Console.WriteLine($"  memory [{note.Phase}/{note.Kind}] {note.Content}");
}
if (run.Status != RunStatus.Completed || answer.Response?.Approved != true || tree.Phases.Count != 1 || tree.MemoryRecords.Count != 1)
{
    Console.Error.WriteLine("quickstart: the run did not read back as written");
    return 1;
}
Console.WriteLine("quickstart: ok");
return 0;
