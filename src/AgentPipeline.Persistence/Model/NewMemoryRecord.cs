namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateMemoryRecordAsync"/>: a note for later phases of the same run.</summary>
public sealed record NewMemoryRecord
{
    /// <summary>Caller-chosen id for idempotent replays; a UUIDv7 is made when null.</summary>
    public Guid? Id { get; init; }
    /// <summary><c>phase_result_id</c>. Required; <c>run_id</c> and <c>phase</c> are copied from it.</summary>
    public required Guid PhaseResultId { get; init; }
    /// <summary><c>invocation_id</c>: the agent that wrote it, in the same run; optional.</summary>
    public Guid? InvocationId { get; init; }
    /// <summary><c>kind</c>.</summary>
    public required MemoryKind Kind { get; init; }
    /// <summary><c>content</c>. Required.</summary>
    public required string Content { get; init; }
}
