namespace AgentPipeline.Persistence.Schema;

/// <summary>
/// One row of <c>run_contents</c>: a piece of a large value, stored once per run and referred to
/// by its hash from the values that contain it (docs/storage.md).
/// </summary>
internal sealed class RunContentRow
{
    public Guid RunId { get; set; }

    /// <summary>The first 16 bytes of the SHA-256 of <see cref="Body"/>'s UTF-8, as 32 lower-case hex digits.</summary>
    public string Hash { get; set; } = null!;

    /// <summary>The piece's stored text (the store's escapes applied), or a block's list of entries.</summary>
    public string Body { get; set; } = null!;
}
