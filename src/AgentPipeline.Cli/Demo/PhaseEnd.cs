namespace AgentPipeline.Cli.Demo;

/// <summary>How a simulated phase ended.</summary>
internal enum PhaseEnd
{
    Passed,
    Failed,
    /// <summary>Stopped on a question nobody has answered yet; the run waits.</summary>
    Waiting,
}
