using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>A memory note an agent writes through its create_memory tool.</summary>
internal sealed record MemoryNote(MemoryKind Kind, string Content);
