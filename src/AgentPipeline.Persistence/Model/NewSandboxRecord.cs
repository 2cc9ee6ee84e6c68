using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>Data for <see cref="PipelinePersistence.CreateSandboxRecordAsync"/>: one row of <c>sandboxes</c>.</summary>
public sealed record NewSandboxRecord
{
    /// <summary><c>id</c>: the sandbox provider's id. Required.</summary>
    public required string Id { get; init; }
    /// <summary><c>status</c>; the lifecycle timestamp of that status is stamped too.</summary>
    public SandboxStatus Status { get; init; } = SandboxStatus.Pending;
    /// <summary><c>runtime</c> (node24, node22, python3.13, …).</summary>
    public string? Runtime { get; init; }
    /// <summary><c>memory</c> in MB.</summary>
    public int? Memory { get; init; }
    /// <summary><c>vcpus</c>.</summary>
    public int? Vcpus { get; init; }
    /// <summary><c>region</c>.</summary>
    public string? Region { get; init; }
    /// <summary><c>cwd</c>.</summary>
    public string? Cwd { get; init; }
    /// <summary><c>timeout</c> in milliseconds.</summary>
    public int? Timeout { get; init; }
    /// <summary><c>network_policy</c>.</summary>
    public JsonElement? NetworkPolicy { get; init; }
    /// <summary><c>interactive_port</c>.</summary>
    public int? InteractivePort { get; init; }
    /// <summary><c>routes</c>: <c>[{url, subdomain, port}]</c>.</summary>
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
    /// <summary><c>requested_at</c>: when the sandbox was asked of the provider (any offset; stored as UTC). <c>created_at</c> is stamped by the store.</summary>
    public DateTimeOffset? RequestedAt { get; init; }
}
