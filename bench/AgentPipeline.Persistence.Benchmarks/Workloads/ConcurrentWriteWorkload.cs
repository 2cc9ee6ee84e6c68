using AgentPipeline.Persistence.Benchmarks.Baseline;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;

namespace AgentPipeline.Persistence.Benchmarks.Workloads;

/// <summary>
/// Many sub-agents writing at once on one <see cref="PipelineDb"/>: <see cref="Tasks"/> concurrent
/// tasks, each recording steps of its own invocation, every step followed by its two tool calls
/// (<c>CreateAgentStep</c>, then <c>CreateToolCall</c> twice, each awaited before the next, as an
/// agent loop does). Ours is whatever the library does with that (one transaction per call, or
/// group commit); the baseline is one prepared ADO.NET insert per call, one commit per call.
/// </summary>
internal sealed class ConcurrentWriteWorkload : IAsyncDisposable
{
    public const int Tasks = 16;

    /// <summary><c>--writers N</c> (quick mode): the concurrent tasks of a quick round; <see cref="Tasks"/> unless set.</summary>
    public const string WritersVariable = "AGENTPIPE_BENCH_WRITERS";

    public static readonly int Writers =
        int.TryParse(Environment.GetEnvironmentVariable(WritersVariable), out var writers) && writers > 0 ? writers : Tasks;

    /// <summary>Rows per loop of one task: a step and its two tool calls.</summary>
    public const int RowsPerLoop = 3;

    private readonly BenchDatabase _database;
    private readonly IPipelineCalls[] _sides;
    private readonly Guid[][] _invocations = new Guid[2][];
    private readonly int[][] _nextStep = [new int[Math.Max(Tasks, Writers)], new int[Math.Max(Tasks, Writers)]];
    private readonly (NewAgentStep Step, NewToolCall[] ToolCalls)[][][] _inputs = new (NewAgentStep, NewToolCall[])[2][][];

    private ConcurrentWriteWorkload(BenchDatabase database)
    {
        _database = database;
        _sides = [new OursCalls(database.Db), RawStore.Open(database)];
    }

    public PipelineProvider Provider => _database.Provider;

    public BenchDatabase Database => _database;

    public static async Task<ConcurrentWriteWorkload> CreateAsync(PipelineProvider provider)
    {
        var workload = new ConcurrentWriteWorkload(await BenchDatabase.CreateAsync(provider));
        var ours = workload._sides[0];
        var run = await ours.CreateFeatureRunAsync(new NewFeatureRun { Prompt = "Add CSV export to the orders page" });
        var phase = await ours.CreatePhaseResultAsync(new NewPhaseResult { RunId = run, Phase = FeaturePhase.Implementation });
        for (var side = 0; side < 2; side++)
        {
            workload._invocations[side] = new Guid[Math.Max(Tasks, Writers)];
            for (var t = 0; t < workload._invocations[side].Length; t++)
            {
                workload._invocations[side][t] = await ours.CreateAgentInvocationAsync(Payloads.Invocation(phase, AgentType.Coder));
            }
        }
        return workload;
    }

    public static int Rows(int loopsPerTask, int tasks = Tasks) => tasks * loopsPerTask * RowsPerLoop;

    /// <summary>
    /// Inputs for one round of <paramref name="side"/> (ours or baseline): <paramref name="loopsPerTask"/>
    /// steps per task, for <paramref name="tasks"/> tasks (all 16 unless a reference run wants fewer).
    /// </summary>
    public void Prepare(Side side, int loopsPerTask, int tasks = Tasks)
    {
        var s = Index(side);
        _inputs[s] = new (NewAgentStep, NewToolCall[])[tasks][];
        for (var t = 0; t < tasks; t++)
        {
            _inputs[s][t] = new (NewAgentStep, NewToolCall[])[loopsPerTask];
            for (var k = 0; k < loopsPerTask; k++)
            {
                // Caller-chosen step ids, so the tool calls' inputs exist before the step is written.
                var stepId = Guid.CreateVersion7();
                _inputs[s][t][k] = (Payloads.Step(_invocations[s][t], _nextStep[s][t]++, stepId),
                    [Payloads.ToolCall(stepId, 0), Payloads.ToolCall(stepId, 1)]);
            }
        }
    }

    /// <summary>Runs the prepared round: all tasks at once; returns when every row is committed.</summary>
    public Task RunAsync(Side side)
    {
        var s = Index(side);
        var calls = _sides[s];
        var tasks = new Task[_inputs[s].Length];
        for (var t = 0; t < tasks.Length; t++)
        {
            var inputs = _inputs[s][t];
            tasks[t] = Task.Run(async () =>
            {
                foreach (var (step, toolCalls) in inputs)
                {
                    await calls.CreateAgentStepAsync(step);
                    foreach (var toolCall in toolCalls)
                    {
                        await calls.CreateToolCallAsync(toolCall);
                    }
                }
            });
        }
        return Task.WhenAll(tasks);
    }

    private static int Index(Side side) => side switch
    {
        Side.Ours => 0,
        Side.Baseline => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(side), side, "The concurrent comparison is ours against the baseline."),
    };

    public async ValueTask DisposeAsync()
    {
        await ((RawStore)_sides[1]).DisposeAsync();
        await _database.DisposeAsync();
    }
}
