namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// What the SQLite dialect's background checkpoints tell whoever watches them (tests, the
/// benchmark). Users see checkpoints on the public meter (<c>agentpipeline.persistence.sqlite.checkpoints</c>).
/// </summary>
internal interface ICheckpointObserver
{
    /// <summary>A background checkpoint was handed to the checkpoint thread; <paramref name="completion"/> ends when it has run.</summary>
    void Started(Task completion);
}
