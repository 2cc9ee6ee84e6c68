using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewSandboxRecord>;
using S = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewSnapshotRecord>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>sandboxes: a provider's sandbox, recorded before any run uses it (data-model.md).</summary>
internal static class Sandboxes
{
    public const string Name = "sandboxes";

    /// <summary>What <c>CreateSandboxRecord</c> writes from <see cref="NewSandboxRecord"/>, <c>id</c> (the provider's) first.</summary>
    public static readonly ColumnSet<NewSandboxRecord> Create = new(Name,
    [
        C.Key("id", d => d.Id),
        C.Enum("status", d => d.Status),
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

    /// <summary>
    /// <c>run_id</c> is filled when a run claims the sandbox; <c>created_at</c> is stamped, and the
    /// lifecycle stamps and <c>duration</c> as the status moves on (<c>UpdateSandboxStatus</c>).
    /// </summary>
    public static readonly TableDefinition Definition = new(Name,
    [
        new("run_id", Col.Guid, true), new("created_at", Col.Time, false), new("started_at", Col.Time, true),
        new("requested_stop_at", Col.Time, true), new("stopped_at", Col.Time, true), new("aborted_at", Col.Time, true),
        new("snapshotted_at", Col.Time, true), new("duration", Col.Int, true),
    ], Create.Shapes);
}

/// <summary>sandbox_snapshots: a snapshot of a sandbox (data-model.md).</summary>
internal static class SandboxSnapshots
{
    public const string Name = "sandbox_snapshots";

    /// <summary>What <c>CreateSnapshotRecord</c> writes from <see cref="NewSnapshotRecord"/>, <c>id</c> (the provider's) first.</summary>
    public static readonly ColumnSet<NewSnapshotRecord> Create = new(Name,
    [
        S.Key("id", d => d.Id),
        S.Key("sandbox_id", d => d.SandboxId),
        S.Enum("status", d => d.Status),
        S.Count64("size_bytes", d => d.SizeBytes),
        S.Text("region", d => d.Region),
        S.Time("expires_at", d => d.ExpiresAt),
    ]);

    /// <summary><c>run_id</c> is copied from the sandbox (null until a run claims it), <c>created_at</c> stamped.</summary>
    public static readonly TableDefinition Definition = new(Name,
        [new("run_id", Col.Guid, true), new("created_at", Col.Time, false)], Create.Shapes);
}
