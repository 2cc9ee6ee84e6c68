namespace AgentPipeline.Cli.Commands;

/// <summary>A failure the CLI itself detects, with the exit code it stands for; reported as one line.</summary>
internal sealed class CliException(string message, int exitCode, Exception? innerException = null) : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}
