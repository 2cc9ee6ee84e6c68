namespace AgentPipeline.Cli.Demo;

/// <summary>One scripted tool-calling step of a sub-agent; a note, when present, is written in the same step.</summary>
internal sealed record AgentStepPlan(string Text, IReadOnlyList<ToolUse> Tools, MemoryNote? Note = null);
