using System.Globalization;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>Builds the tool calls of the sandbox toolset with plausible inputs and outputs.</summary>
internal static class Tools
{
    public static ToolUse Read(string path, Random rng)
    {
        var lines = rng.Next(40, 420);
        var snippet = string.Join('\n',
            $"     1\t// {path}",
            "     2\timport { config } from './config';",
            "     3\t",
            $"     4\texport function {Path.GetFileNameWithoutExtension(path).Replace('-', '_').Replace('.', '_')}(input) {{",
            "     5\t  // …",
            $"   …\t({lines} lines)");
        return new("read", $"Read {path}", new { filePath = path, offset = 0, limit = 2000 }, snippet, ToolOutputType.Text);
    }

    public static ToolUse Glob(string pattern, IEnumerable<string> matches) =>
        new("glob", $"Find {pattern}", new { pattern }, matches.ToArray(), ToolOutputType.Json);

    public static ToolUse Grep(string pattern, IReadOnlyList<string> files, Random rng)
    {
        var hits = files.Select(f => new { file = f, line = rng.Next(3, 240), text = $"  {pattern}(ctx, options)" }).ToArray();
        return new("grep", $"Search for {pattern}", new { pattern, path = ".", outputMode = "content" }, hits, ToolOutputType.Json);
    }

    public static ToolUse Write(string path, string content) =>
        new("write", $"Write {path}", new { filePath = path, content },
            $"Wrote {content.Split('\n').Length} lines to {path}", ToolOutputType.Text);

    public static ToolUse Edit(string path, string oldText, string newText) =>
        new("edit", $"Edit {path}", new { filePath = path, oldString = oldText, newString = newText, replaceAll = false },
            $"Applied 1 edit to {path}", ToolOutputType.Text);

    public static ToolUse Bash(string command, int exitCode, string stdout, string stderr = "") =>
        new("bash", $"Run {FirstWords(command)}", new { command, timeout = 120_000 },
            new { exitCode, stdout, stderr }, ToolOutputType.Json);

    /// <summary>A command the sandbox killed: the tool itself failed, so the output is an error.</summary>
    public static ToolUse BashTimedOut(string command) =>
        new("bash", $"Run {FirstWords(command)}", new { command, timeout = 120_000 },
            "Command timed out after 120000 ms", ToolOutputType.ErrorText,
            new { name = "CommandTimeoutError", message = "Command timed out after 120000 ms", signal = "SIGKILL" });

    public static ToolUse Spawn(SubAgentOutcome sub) =>
        new("spawn_subagent", $"Spawn {Describe(sub.Type)}", new { agentType = Describe(sub.Type), task = sub.Task },
            new { invocationId = sub.InvocationId, status = "completed", summary = sub.Summary }, ToolOutputType.Json);

    public static ToolUse Memory(MemoryKind kind, string content, Guid recordId) =>
        new("create_memory", $"Remember {Describe(kind)}", new { kind = Describe(kind), content },
            new { id = recordId, stored = true }, ToolOutputType.Json);

    // The data model's own strings (meta_judge, …), never ToString().ToLower().
    public static string Describe(AgentType type) => Format.Name(type);

    public static string Describe(MemoryKind kind) => Format.Name(kind);

    public static string Describe(FeaturePhase phase) => Format.Name(phase);

    public static string Describe(CtaKind kind) => Format.Name(kind);

    public static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string FirstWords(string command)
    {
        var words = command.Split(' ', 3);
        return words.Length > 2 ? $"{words[0]} {words[1]}" : command;
    }
}
