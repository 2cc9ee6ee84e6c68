namespace AgentPipeline.Cli.Commands;

/// <summary>Process exit codes; scripts branch on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int NotFound = 2;
    public const int Conflict = 3;
    public const int DatabaseUnreachable = 4;
    public const int Cancelled = 130;
}
