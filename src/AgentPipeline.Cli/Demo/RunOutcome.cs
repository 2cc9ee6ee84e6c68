namespace AgentPipeline.Cli.Demo;

/// <summary>How a simulated run ends; the demo decides it for every run up front, from the seed.</summary>
internal enum RunOutcome
{
    Completes,
    FailsInJudging,
    FailsInImplementation,
    /// <summary>Reaches the pr phase and waits there for the human's approval (an open CTA).</summary>
    AwaitsApproval,
}
