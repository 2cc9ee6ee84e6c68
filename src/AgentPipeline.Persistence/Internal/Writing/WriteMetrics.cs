using System.Diagnostics.Metrics;

namespace AgentPipeline.Persistence.Internal.Writing;

/// <summary>
/// The write path's <see cref="System.Diagnostics.Metrics"/> instruments, on the meter named
/// <see cref="MeterName"/> (listed in README.md). Each measurement carries the tag
/// <c>db.system.name</c> (<c>sqlite</c> or <c>postgresql</c>). With no listener attached, recording
/// one costs a test of a flag; none is recorded per call on the path of a call alone.
/// </summary>
internal static class WriteMetrics
{
    public const string MeterName = "AgentPipeline.Persistence";

    private static readonly Meter Meter = new(MeterName, typeof(WriteMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Calls (or group-commit batches) run again after a transient failure.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "agentpipeline.persistence.retries", "{retry}", "Attempts repeated after a transient database failure.");

    /// <summary>Group-commit batches committed.</summary>
    public static readonly Counter<long> Batches = Meter.CreateCounter<long>(
        "agentpipeline.persistence.group_commit.batches", "{batch}", "Group-commit batches committed.");

    /// <summary>Rows in each committed group-commit batch.</summary>
    public static readonly Histogram<int> BatchRows = Meter.CreateHistogram<int>(
        "agentpipeline.persistence.group_commit.batch_rows", "{row}", "Rows in each committed group-commit batch.");

    /// <summary>Times a PostgreSQL flusher waited for the writers it released to queue their next rows.</summary>
    public static readonly Counter<long> LingerWaits = Meter.CreateCounter<long>(
        "agentpipeline.persistence.group_commit.linger_waits", "{wait}",
        "Times a PostgreSQL group-commit flusher waited (1 ms at most) for writers to come back before the next batch.");

    /// <summary>SQLite background checkpoints run (each copies the WAL's committed pages into the database file).</summary>
    public static readonly Counter<long> SqliteCheckpoints = Meter.CreateCounter<long>(
        "agentpipeline.persistence.sqlite.checkpoints", "{checkpoint}",
        "SQLite background WAL checkpoints run (one every 256 write transactions at most).");

    /// <summary>Frames (4 KB pages) the WAL held at each SQLite background checkpoint: how large it grows.</summary>
    public static readonly Histogram<long> SqliteWalFrames = Meter.CreateHistogram<long>(
        "agentpipeline.persistence.sqlite.wal_frames", "{frame}",
        "Frames (pages) in the SQLite WAL when a background checkpoint ran; past 8,192 the WAL is started over.");

    public static KeyValuePair<string, object?> ProviderTag(PipelineProvider provider) =>
        new("db.system.name", provider == PipelineProvider.PostgreSql ? "postgresql" : "sqlite");
}
