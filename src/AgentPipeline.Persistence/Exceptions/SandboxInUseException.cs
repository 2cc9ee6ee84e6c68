namespace AgentPipeline.Persistence;

/// <summary>A run was created with a sandbox that another run already uses. Nothing was written.</summary>
public sealed class SandboxInUseException : PipelinePersistenceException
{
    /// <summary>Creates the exception.</summary>
    public SandboxInUseException(string sandboxId, Guid runId)
        : base($"Sandbox '{sandboxId}' is already used by run '{runId}'.")
    {
        SandboxId = sandboxId;
        RunId = runId;
    }

    /// <summary>The sandbox.</summary>
    public string SandboxId { get; }

    /// <summary>The run that uses it.</summary>
    public Guid RunId { get; }
}
