namespace AgentPipeline.Persistence;

/// <summary>What <see cref="PipelinePersistence.GetRunTreeAsync"/> loads.</summary>
public sealed record RunTreeOptions
{
    /// <summary>The default: the tree's structure and small columns, without the large values.</summary>
    public static RunTreeOptions Default { get; } = new();

    /// <summary>
    /// Whether the large columns are loaded: system prompts, messages, request and response bodies and
    /// headers, outputs, reasoning, step text and content, tool input, output and error, phase outputs,
    /// provider metadata and <c>usage_raw</c>. False by default, so the tree of a run of thousands of
    /// steps loads fast; those properties are then null. Read one row whole with
    /// <see cref="PipelinePersistence.GetAgentStepAsync"/> and its siblings.
    /// </summary>
    public bool IncludeContent { get; init; }
}
