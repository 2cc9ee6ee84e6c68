using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewSandboxRecord>;
using S = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewSnapshotRecord>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>sandboxes: a provider's sandbox, recorded before any run uses it (data-model.md).</summary>
internal static class Sandboxes
{
    public const string Name = "sandboxes";

    public static readonly C Id = C.Key("id", d => d.Id);
    public static readonly C Status = C.Enum("status", d => d.Status);

    /// <summary>What <c>CreateSandboxRecord</c> writes from <see cref="NewSandboxRecord"/>, <c>id</c> (the provider's) first.</summary>
    public static readonly ColumnSet<NewSandboxRecord> Create = new(Name,
    [
        Id,
        Status,
        C.Text("runtime", d => d.Runtime),
        C.Count("memory", d => d.Memory),
        C.Count("vcpus", d => d.Vcpus),
        C.Text("region", d => d.Region),
        C.Text("cwd", d => d.Cwd),
        C.Count("timeout", d => d.Timeout),
        C.Json("network_policy", d => d.NetworkPolicy),
        C.Count("interactive_port", d => d.InteractivePort),
        C.Json("routes", d => d.Routes),
        C.OptionalKey("source_snapshot_id", d => d.SourceSnapshotId),
        C.Enum("source_type", d => d.SourceType),
        C.Text("source_url", d => d.SourceUrl),
        C.Text("source_revision", d => d.SourceRevision),
        C.Count("source_depth", d => d.SourceDepth),
        C.Time("requested_at", d => d.RequestedAt),
    ]);

    public static readonly ColumnShape RunId = new("run_id", Col.Guid, true);
    public static readonly ColumnShape CreatedAt = new("created_at", Col.Time, false);
    public static readonly ColumnShape StartedAt = Stamp("started_at");
    public static readonly ColumnShape RequestedStopAt = Stamp("requested_stop_at");
    public static readonly ColumnShape StoppedAt = Stamp("stopped_at");
    public static readonly ColumnShape AbortedAt = Stamp("aborted_at");
    public static readonly ColumnShape SnapshottedAt = Stamp("snapshotted_at");
    public static readonly ColumnShape Duration = new("duration", Col.Int, true);

    /// <summary>The lifecycle stamps, in the order <c>UpdateSandboxStatus</c> fills them (running, stopping, stopped, aborted, snapshotting).</summary>
    public static readonly ColumnShape[] Stamps = [StartedAt, RequestedStopAt, StoppedAt, AbortedAt, SnapshottedAt];

    /// <summary>
    /// <c>run_id</c> is filled when a run claims the sandbox; <c>created_at</c> is stamped, and the
    /// lifecycle stamps and <c>duration</c> as the status moves on (<c>UpdateSandboxStatus</c>).
    /// </summary>
    public static readonly TableDefinition Definition = new(Name, [RunId, CreatedAt, .. Stamps, Duration], Create.Shapes);

    /// <summary>A lifecycle stamp: the time the sandbox first reached a status, NULL until then.</summary>
    private static ColumnShape Stamp(string name) => new(name, Col.Time, true);
}

/// <summary>sandbox_snapshots: a snapshot of a sandbox (data-model.md).</summary>
internal static class SandboxSnapshots
{
    public const string Name = "sandbox_snapshots";

    public static readonly S SandboxId = S.Key("sandbox_id", d => d.SandboxId);

    /// <summary>What <c>CreateSnapshotRecord</c> writes from <see cref="NewSnapshotRecord"/>, <c>id</c> (the provider's) first.</summary>
    public static readonly ColumnSet<NewSnapshotRecord> Create = new(Name,
    [
        S.Key("id", d => d.Id),
        SandboxId,
        S.Enum("status", d => d.Status),
        S.Count64("size_bytes", d => d.SizeBytes),
        S.Text("region", d => d.Region),
        S.Time("expires_at", d => d.ExpiresAt),
    ]);

    public static readonly ColumnShape RunId = new("run_id", Col.Guid, true);
    public static readonly ColumnShape CreatedAt = new("created_at", Col.Time, false);

    /// <summary><c>run_id</c> is copied from the sandbox (null until a run claims it), <c>created_at</c> stamped.</summary>
    public static readonly TableDefinition Definition = new(Name, [RunId, CreatedAt], Create.Shapes);
}
