using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Output;

/// <summary>One run as read back from the database.</summary>
internal sealed record RunSummary(
    Guid Id,
    string Prompt,
    FeaturePhase Phase,
    FeaturePhase? FailedPhase,
    SandboxStatus? SandboxStatus,
    int PhasesPassed,
    int PhasesFailed,
    int PhasesRunning,
    int Invocations,
    int Steps,
    int ToolCalls,
    int MemoryRecords,
    int CtasAnswered,
    int CtasTimedOut,
    int CtasOpen,
    long TotalTokens)
{
    public int PhaseResults => PhasesPassed + PhasesFailed + PhasesRunning;
}
