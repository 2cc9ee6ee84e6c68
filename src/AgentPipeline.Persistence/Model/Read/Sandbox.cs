using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// A row of <c>sandboxes</c> as stored, with its snapshots (oldest first).
/// </summary>
public sealed record Sandbox
{
    /// <summary><c>id</c>: the provider's sandbox id.</summary>
    public required string Id { get; init; }

    /// <summary><c>run_id</c>: null until a run claims the sandbox.</summary>
    public Guid? RunId { get; init; }

    /// <summary><c>status</c>.</summary>
    public required SandboxStatus Status { get; init; }

    /// <summary><c>runtime</c>.</summary>
    public string? Runtime { get; init; }

    /// <summary><c>memory</c> (MB).</summary>
    public int? Memory { get; init; }

    /// <summary><c>vcpus</c>.</summary>
    public int? Vcpus { get; init; }

    /// <summary><c>region</c>.</summary>
    public string? Region { get; init; }

    /// <summary><c>cwd</c>.</summary>
    public string? Cwd { get; init; }

    /// <summary><c>timeout</c> (ms).</summary>
    public int? Timeout { get; init; }

    /// <summary><c>network_policy</c>, with the text written.</summary>
    public JsonElement? NetworkPolicy { get; init; }

    /// <summary><c>interactive_port</c>.</summary>
    public int? InteractivePort { get; init; }

    /// <summary><c>routes</c>, with the text written.</summary>
    public JsonElement? Routes { get; init; }

    /// <summary><c>source_snapshot_id</c>.</summary>
    public string? SourceSnapshotId { get; init; }

    /// <summary><c>source_type</c>.</summary>
    public SandboxSourceType? SourceType { get; init; }

    /// <summary><c>source_url</c>.</summary>
    public string? SourceUrl { get; init; }

    /// <summary><c>source_revision</c>.</summary>
    public string? SourceRevision { get; init; }

    /// <summary><c>source_depth</c>.</summary>
    public int? SourceDepth { get; init; }

    /// <summary><c>requested_at</c> (UTC).</summary>
    public DateTimeOffset? RequestedAt { get; init; }

    /// <summary><c>created_at</c> (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>started_at</c>: stamped when it became running (UTC).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary><c>requested_stop_at</c>: stamped when it became stopping (UTC).</summary>
    public DateTimeOffset? RequestedStopAt { get; init; }

    /// <summary><c>stopped_at</c> (UTC).</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary><c>aborted_at</c> (UTC).</summary>
    public DateTimeOffset? AbortedAt { get; init; }

    /// <summary><c>snapshotted_at</c> (UTC).</summary>
    public DateTimeOffset? SnapshottedAt { get; init; }

    /// <summary><c>duration</c> (ms): <c>stopped_at</c> − <c>started_at</c> once stopped.</summary>
    public int? Duration { get; init; }

    /// <summary>Its <c>sandbox_snapshots</c>, by <c>created_at</c> then id.</summary>
    public IReadOnlyList<SandboxSnapshot> Snapshots { get; init; } = [];
}
