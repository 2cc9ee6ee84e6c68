using AgentPipeline.Persistence.Benchmarks.Baseline;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Naive;

namespace AgentPipeline.Persistence.Benchmarks.Workloads;

/// <summary>
/// One operation compared three ways on one database. <see cref="PrepareAsync"/> gets the inputs
/// (and the rows they act on) for the next calls of one side, outside any timing;
/// <see cref="CallAsync"/> makes one call and is all that is timed. Each side works on its own
/// parents in the same run, so no side sees the others' rows as conflicts.
/// </summary>
internal abstract class PerCallWorkload : IAsyncDisposable
{
    /// <summary>The operations, in the order the reports list them.</summary>
    public static readonly string[] Operations =
    [
        "CreateAgentStep", "CreateToolCall", "CreateMemoryRecord", "CompleteAgentInvocation", "PassPhaseResult",
        "CompleteCtaEvent", "GetMemoryRecords",
    ];

    private readonly IPipelineCalls[] _sides;

    protected PerCallWorkload(BenchDatabase database)
    {
        Database = database;
        Baseline = RawStore.Open(database);
        _sides = [new OursCalls(database.Db), Baseline, new EfNaiveStore(database)];
    }

    public BenchDatabase Database { get; }

    protected RawStore Baseline { get; }

    /// <summary>The library side, for set-up: parents are made the way users make them.</summary>
    protected IPipelineCalls Ours => _sides[0];

    protected IPipelineCalls Calls(Side side) => _sides[(int)side];

    public static async Task<PerCallWorkload> CreateAsync(string operation, PipelineProvider provider)
    {
        var database = await BenchDatabase.CreateAsync(provider, durableCommits: BenchServer.PerCallDurable);
        PerCallWorkload workload = operation switch
        {
            "CreateAgentStep" => new CreateAgentStepWorkload(database),
            "CreateToolCall" => new CreateToolCallWorkload(database),
            "CreateMemoryRecord" => new CreateMemoryRecordWorkload(database),
            "CompleteAgentInvocation" => new CompleteAgentInvocationWorkload(database),
            "PassPhaseResult" => new PassPhaseResultWorkload(database),
            "CompleteCtaEvent" => new CompleteCtaEventWorkload(database),
            "GetMemoryRecords" => new GetMemoryRecordsWorkload(database),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
        };
        await workload.SetupAsync();
        return workload;
    }

    /// <summary>Parents shared by every side (a run, a phase result, …).</summary>
    protected abstract Task SetupAsync();

    /// <summary>Inputs for the next <paramref name="calls"/> calls of <paramref name="side"/>; call <see cref="CallAsync"/> with 0 … calls − 1.</summary>
    public abstract Task PrepareAsync(Side side, int calls);

    public abstract Task CallAsync(Side side, int index);

    protected async Task<(Guid Run, Guid Phase, Guid[] Invocations)> ParentsAsync(int invocations)
    {
        var run = await Ours.CreateFeatureRunAsync(new NewFeatureRun { Prompt = "Add CSV export to the orders page" });
        var phase = await Ours.CreatePhaseResultAsync(new NewPhaseResult { RunId = run, Phase = FeaturePhase.Analysis });
        var ids = new Guid[invocations];
        for (var i = 0; i < invocations; i++)
        {
            ids[i] = await Ours.CreateAgentInvocationAsync(Payloads.Invocation(phase, AgentType.Coder));
        }
        return (run, phase, ids);
    }

    public async ValueTask DisposeAsync()
    {
        await Baseline.DisposeAsync();
        await Database.DisposeAsync();
    }
}

internal sealed class CreateAgentStepWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    private readonly NewAgentStep[][] _inputs = new NewAgentStep[3][];
    private readonly int[] _nextStep = new int[3];
    private Guid[] _invocations = [];

    protected override async Task SetupAsync() => (_, _, _invocations) = await ParentsAsync(3);

    public override Task PrepareAsync(Side side, int calls)
    {
        var s = (int)side;
        _inputs[s] = [.. Enumerable.Range(0, calls).Select(_ => Payloads.Step(_invocations[s], _nextStep[s]++))];
        return Task.CompletedTask;
    }

    public override Task CallAsync(Side side, int index) => Calls(side).CreateAgentStepAsync(_inputs[(int)side][index]);
}

internal sealed class CreateToolCallWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    private readonly NewToolCall[][] _inputs = new NewToolCall[3][];
    private readonly int[] _nextStep = new int[3];
    private Guid[] _invocations = [];

    protected override async Task SetupAsync() => (_, _, _invocations) = await ParentsAsync(3);

    public override async Task PrepareAsync(Side side, int calls)
    {
        // A fresh step per batch, so the (step, tool call id) index looks like a real one.
        var s = (int)side;
        var step = await Ours.CreateAgentStepAsync(Payloads.Step(_invocations[s], _nextStep[s]++));
        _inputs[s] = [.. Enumerable.Range(0, calls).Select(i => Payloads.ToolCall(step, i))];
    }

    public override Task CallAsync(Side side, int index) => Calls(side).CreateToolCallAsync(_inputs[(int)side][index]);
}

internal sealed class CreateMemoryRecordWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    private readonly NewMemoryRecord[][] _inputs = new NewMemoryRecord[3][];
    private Guid _phase;
    private Guid[] _invocations = [];

    protected override async Task SetupAsync() => (_, _phase, _invocations) = await ParentsAsync(3);

    public override Task PrepareAsync(Side side, int calls)
    {
        var s = (int)side;
        _inputs[s] = [.. Enumerable.Range(0, calls).Select(i => Payloads.Memory(_phase, _invocations[s], i))];
        return Task.CompletedTask;
    }

    public override Task CallAsync(Side side, int index) => Calls(side).CreateMemoryRecordAsync(_inputs[(int)side][index]);
}

internal sealed class CompleteAgentInvocationWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    private readonly Guid[][] _targets = new Guid[3][];
    private Guid _run;
    private Guid _phase;

    protected override async Task SetupAsync() => (_run, _phase, _) = await ParentsAsync(0);

    public override async Task PrepareAsync(Side side, int calls) =>
        _targets[(int)side] = await Seeder.OpenInvocationsAsync(Database, _run, _phase, calls);

    public override Task CallAsync(Side side, int index) =>
        Calls(side).CompleteAgentInvocationAsync(_targets[(int)side][index], Payloads.Completion);
}

internal sealed class PassPhaseResultWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    private readonly Guid[][] _targets = new Guid[3][];
    private Guid _run;

    protected override async Task SetupAsync() => (_run, _, _) = await ParentsAsync(0);

    public override async Task PrepareAsync(Side side, int calls) =>
        _targets[(int)side] = await Seeder.RunningPhaseResultsAsync(Database, _run, calls);

    public override Task CallAsync(Side side, int index) =>
        Calls(side).PassPhaseResultAsync(_targets[(int)side][index], Payloads.PhaseOutput);
}

internal sealed class CompleteCtaEventWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    private readonly Guid[][] _targets = new Guid[3][];
    private Guid _run;
    private Guid _phase;
    private Guid _invocation;

    protected override async Task SetupAsync()
    {
        (_run, _phase, var invocations) = await ParentsAsync(1);
        _invocation = invocations[0];
    }

    public override async Task PrepareAsync(Side side, int calls) =>
        _targets[(int)side] = await Seeder.OpenApprovalCtasAsync(Database, _run, _phase, _invocation, calls);

    public override Task CallAsync(Side side, int index) =>
        Calls(side).CompleteCtaEventAsync(_targets[(int)side][index], Payloads.Approval);
}

internal sealed class GetMemoryRecordsWorkload(BenchDatabase database) : PerCallWorkload(database)
{
    public const int Records = 1000;
    private Guid _run;

    protected override async Task SetupAsync()
    {
        (_run, var phase, var invocations) = await ParentsAsync(1);
        await Seeder.MemoryRecordsAsync(Database, _run, phase, invocations[0], Records);
        var read = await Ours.GetMemoryRecordsAsync(_run);
        if (read.Count != Records)
        {
            throw new InvalidOperationException($"Seeded {Records} memory records, read {read.Count}.");
        }
    }

    public override Task PrepareAsync(Side side, int calls) => Task.CompletedTask;

    public override Task CallAsync(Side side, int index) => Calls(side).GetMemoryRecordsAsync(_run);
}
