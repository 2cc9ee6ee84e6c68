using AgentPipeline.Persistence.Benchmarks.Baseline;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Naive;

namespace AgentPipeline.Persistence.Benchmarks.Workloads;

/// <summary>
/// A whole feature run as the orchestrators write it: 5 phases; in each, an orchestrator reads the
/// run's memory, takes its 10 steps (2 tool calls each, 3 memory notes), then 7 sub-agents run at
/// once, each with 10 steps of 2 tool calls and one note; CTAs in three phases (approval, choice,
/// text) are asked and answered; invocations complete, phases pass, the run completes.
/// 40 invocations, 400 steps, 800 tool calls, 50 memory records, 3 CTAs: about 1,360 calls.
/// </summary>
internal sealed class RealisticRunWorkload : IAsyncDisposable
{
    public const int SubAgents = 7;
    public const int StepsPerInvocation = 10;
    public const int ToolCallsPerStep = 2;

    private readonly BenchDatabase _database;

    public BenchDatabase Database => _database;
    private readonly RawStore _baseline;
    private readonly IPipelineCalls[] _sides;

    private RealisticRunWorkload(BenchDatabase database)
    {
        _database = database;
        _baseline = RawStore.Open(database);
        _sides = [new OursCalls(database.Db), _baseline, new EfNaiveStore(database)];
    }

    public static async Task<RealisticRunWorkload> CreateAsync(PipelineProvider provider) =>
        new(await BenchDatabase.CreateAsync(provider));

    public Task RunAsync(Side side) => RunAsync(_sides[(int)side]);

    private static async Task RunAsync(IPipelineCalls calls)
    {
        var run = await calls.CreateFeatureRunAsync(new NewFeatureRun
        {
            Prompt = "Add CSV export to the orders page",
            GithubRepoUrl = "https://github.com/example/shop",
            GithubBranch = "feature/csv-export",
        });
        for (var p = 0; p < 5; p++)
        {
            var phase = (FeaturePhase)p;
            if (p > 0)
            {
                await calls.UpdateFeatureRunPhaseAsync(run, phase);
            }
            var phaseResult = await calls.CreatePhaseResultAsync(new NewPhaseResult { RunId = run, Phase = phase });
            _ = await calls.GetMemoryRecordsAsync(run);
            var orchestrator = await calls.CreateAgentInvocationAsync(Payloads.Invocation(phaseResult, AgentType.Orchestrator));
            await AgentStepsAsync(calls, phaseResult, orchestrator, notes: 3);
            var subAgents = new Task[SubAgents];
            for (var i = 0; i < SubAgents; i++)
            {
                var type = phase switch
                {
                    FeaturePhase.Analysis or FeaturePhase.Approaches => AgentType.Explorer,
                    FeaturePhase.Judging => i == 0 ? AgentType.MetaJudge : AgentType.Judge,
                    _ => AgentType.Coder,
                };
                subAgents[i] = Task.Run(async () =>
                {
                    var invocation = await calls.CreateAgentInvocationAsync(Payloads.Invocation(phaseResult, type, orchestrator));
                    await AgentStepsAsync(calls, phaseResult, invocation, notes: 1);
                    await calls.CompleteAgentInvocationAsync(invocation, Payloads.Completion);
                });
            }
            await Task.WhenAll(subAgents);
            if (Cta(run, phaseResult, orchestrator, phase) is var (question, answer))
            {
                var cta = await calls.CreateCtaEventAsync(question);
                await calls.CompleteCtaEventAsync(cta, answer);
            }
            await calls.CompleteAgentInvocationAsync(orchestrator, Payloads.Completion);
            await calls.PassPhaseResultAsync(phaseResult, Payloads.PhaseOutput);
        }
        await calls.CompleteFeatureRunAsync(run);
    }

    private static async Task AgentStepsAsync(IPipelineCalls calls, Guid phaseResult, Guid invocation, int notes)
    {
        for (var s = 0; s < StepsPerInvocation; s++)
        {
            var step = await calls.CreateAgentStepAsync(Payloads.Step(invocation, s));
            for (var t = 0; t < ToolCallsPerStep; t++)
            {
                await calls.CreateToolCallAsync(Payloads.ToolCall(step, t));
            }
            if (s < notes)
            {
                await calls.CreateMemoryRecordAsync(Payloads.Memory(phaseResult, invocation, s));
            }
        }
    }

    private static (NewCtaEvent Question, CtaResponse Answer)? Cta(Guid run, Guid phaseResult, Guid invocation, FeaturePhase phase) => phase switch
    {
        FeaturePhase.Approaches => (new NewCtaEvent
        {
            RunId = run, PhaseResultId = phaseResult, InvocationId = invocation, ToolCallId = "toolu_cta_1", Kind = CtaKind.Approval,
            RequestMessage = "Three approaches found. Continue to judging?",
        }, CtaResponse.Approve()),
        FeaturePhase.Judging => (new NewCtaEvent
        {
            RunId = run, PhaseResultId = phaseResult, InvocationId = invocation, ToolCallId = "toolu_cta_2", Kind = CtaKind.Choice,
            RequestPrompt = "The judges split. Which approach?",
            RequestOptions = [new CtaOption("a", "Client-side CSV"), new CtaOption("b", "Server-side CSV"), new CtaOption("c", "Both")],
        }, CtaResponse.Choose("a")),
        FeaturePhase.Pr => (new NewCtaEvent
        {
            RunId = run, PhaseResultId = phaseResult, InvocationId = invocation, ToolCallId = "toolu_cta_3", Kind = CtaKind.Text,
            RequestPrompt = "Anything to add to the PR description?", RequestPlaceholder = "optional",
        }, CtaResponse.WithText("Mention the orders-e2e tag.")),
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await _baseline.DisposeAsync();
        await _database.DisposeAsync();
    }
}
