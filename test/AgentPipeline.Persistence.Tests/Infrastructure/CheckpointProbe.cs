using AgentPipeline.Persistence.Internal.Sqlite;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>Watches a SQLite handle's background checkpoints: the most recent one, to await.</summary>
internal sealed class CheckpointProbe : ICheckpointObserver
{
    private Task? _last;

    private CheckpointProbe()
    {
    }

    /// <summary>The most recent checkpoint started since the probe was attached, or null.</summary>
    public Task? Last => Volatile.Read(ref _last);

    public static CheckpointProbe Attach(PipelineDb db)
    {
        var probe = new CheckpointProbe();
        ((SqliteDialect)db.Dialect).CheckpointObserver = probe;
        return probe;
    }

    public void Started(Task completion) => Volatile.Write(ref _last, completion);
}
