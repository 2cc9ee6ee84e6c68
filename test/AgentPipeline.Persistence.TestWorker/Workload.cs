using System.Text.Json;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.TestWorker;

/// <summary>
/// A deterministic mix of writes for one writer: every id and every value follows from
/// (seed, writer, index), so running it again is an exact replay. Write i is a step (i % 4 == 0),
/// a tool call on the writer's latest step (1), a memory record (2) or a phase transition of the
/// shared run (3).
/// </summary>
public sealed class Workload(int seed, int writer, int writes)
{
    public static readonly FeaturePhase[] WorkingPhases = [FeaturePhase.Analysis, FeaturePhase.Approaches, FeaturePhase.Judging, FeaturePhase.Implementation, FeaturePhase.Pr];

    public int Writes => writes;

    public static Guid RunId(int seed) => Id(seed, -1, 0, 0);

    public static Guid PhaseId(int seed) => Id(seed, -1, 1, 0);

    public Guid InvocationId => Id(seed, writer, 9, 0);

    public Guid StepId(int index) => Id(seed, writer, 0, index - index % 4);

    public Guid ToolCallId(int index) => Id(seed, writer, 1, index);

    public Guid MemoryId(int index) => Id(seed, writer, 2, index);

    public int Steps => (writes + 3) / 4;

    public int ToolCalls => (writes + 2) / 4;

    public int Memories => (writes + 1) / 4;

    /// <summary>The run and its phase result, shared by every writer of the seed.</summary>
    public static async Task SetUpRunAsync(PipelineDb db, int seed, CancellationToken cancellationToken = default)
    {
        await CreateFeatureRunAsync(db, new NewFeatureRun { Id = RunId(seed), Prompt = $"workload {seed}" }, cancellationToken);
        await CreatePhaseResultAsync(db, new NewPhaseResult { Id = PhaseId(seed), RunId = RunId(seed), Phase = FeaturePhase.Implementation }, cancellationToken);
    }

    public async Task SetUpWriterAsync(PipelineDb db, CancellationToken cancellationToken = default) =>
        await CreateAgentInvocationAsync(db, new NewAgentInvocation
        {
            Id = InvocationId, PhaseResultId = PhaseId(seed), AgentType = AgentType.Coder, ModelId = "gpt-5", SystemPrompt = $"writer {writer}",
        }, cancellationToken);

    /// <summary>Runs writes [from, Writes), calling <paramref name="acknowledged"/> after each one returns.</summary>
    public async Task RunAsync(PipelineDb db, int from = 0, Action<int>? acknowledged = null, CancellationToken cancellationToken = default)
    {
        for (var i = from; i < writes; i++)
        {
            await WriteAsync(db, i, cancellationToken);
            acknowledged?.Invoke(i);
        }
    }

    public Task WriteAsync(PipelineDb db, int i, CancellationToken cancellationToken = default) => (i % 4) switch
    {
        0 => CreateAgentStepAsync(db, new NewAgentStep
        {
            Id = StepId(i), InvocationId = InvocationId, StepNumber = i / 4, ModelId = "gpt-5", Text = $"step {i} of writer {writer}",
            FinishReason = FinishReason.ToolCalls,
            Usage = new TokenUsage { InputTokens = 1000 + i, OutputTokens = 50 + (i % 17), TotalTokens = 1050 + i + (i % 17) },
            Content = JsonSerializer.SerializeToElement(new[] { new { type = "tool-call", toolName = "grep", index = i } }),
        }, cancellationToken),
        1 => CreateToolCallAsync(db, new NewToolCall
        {
            Id = ToolCallId(i), StepId = StepId(i), ToolCallId = $"call_{writer}_{i}", ToolName = "grep",
            Input = JsonSerializer.SerializeToElement(new { pattern = $"TODO {i}" }),
            Output = JsonSerializer.SerializeToElement(new { matches = i % 7, text = $"src/file{i}.ts:{i}: // TODO {i}" }),
            OutputType = ToolOutputType.Json,
        }, cancellationToken),
        2 => CreateMemoryRecordAsync(db, new NewMemoryRecord
        {
            Id = MemoryId(i), PhaseResultId = PhaseId(seed), InvocationId = InvocationId, Kind = (MemoryKind)(i % 4), Content = $"writer {writer} learned fact {i}",
        }, cancellationToken),
        _ => UpdateFeatureRunPhaseAsync(db, RunId(seed), WorkingPhases[(i / 4 + writer) % WorkingPhases.Length], cancellationToken),
    };

    private static Guid Id(int seed, int writer, int kind, int index) =>
        new(seed, (short)writer, (short)kind, BitConverter.GetBytes((long)index));
}
