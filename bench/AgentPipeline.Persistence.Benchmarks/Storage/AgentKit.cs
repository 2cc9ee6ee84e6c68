using System.Text;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>One parameter of a tool's JSON schema.</summary>
internal sealed record ToolParameter(string Name, string Type, string Description, bool Required = true);

/// <summary>A tool the agent is offered: name, long description (as coding agents write them: what, when, how, caveats) and parameters.</summary>
internal sealed record ToolSpec(string Name, string Description, IReadOnlyList<ToolParameter> Parameters);

/// <summary>
/// What every invocation of one agent type sends before its conversation: the system prompt (long
/// instructions, about 41 KB) and the 22 tool definitions (about 34 KB as JSON). Invocations of the
/// same type (sub-agents of a run) share it byte for byte, as real agents do.
/// </summary>
internal sealed class AgentKit
{
    private AgentKit(string agentType, string systemPrompt, IReadOnlyList<ToolSpec> tools)
    {
        AgentType = agentType;
        SystemPrompt = systemPrompt;
        Tools = tools;
    }

    public string AgentType { get; }

    public string SystemPrompt { get; }

    public IReadOnlyList<ToolSpec> Tools { get; }

    /// <summary>The kit of one agent type: the same type and seed give the same bytes.</summary>
    public static AgentKit For(string agentType, int seed)
    {
        var random = new Random(seed ^ StableHash(agentType));
        return new AgentKit(agentType, Instructions(random, agentType), ToolsFor(new Random(seed)));
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }
        return hash & 0x7FFFFFFF;
    }

    private static readonly string[] Sections =
    [
        "Tone and style", "Proactiveness", "Following conventions", "Code style", "Task management", "Doing tasks", "Tool usage policy",
        "Verifying your work", "Git and pull requests", "Security", "Working with tests", "Asking the human", "Memory", "Sub-agents",
        "Editing files", "Reading large files", "Running commands", "Reporting",
    ];

    private static string Instructions(Random random, string agentType)
    {
        var text = new StringBuilder(40_000);
        text.Append("You are the ").Append(agentType).Append(" agent of a feature pipeline: an interactive coding agent that works in a sandboxed ")
            .Append("copy of the user's repository. Use the instructions below and the tools available to you to do the task you are given.\n\n")
            .Append("IMPORTANT: Never guess a file's content: read it first. Never invent APIs: look them up in the repository.\n\n");
        foreach (var section in Sections)
        {
            text.Append("# ").Append(section).Append("\n\n");
            text.Append(LoopText.Prose(random, random.Next(850, 1350))).Append("\n\n");
            for (var i = random.Next(3, 7); i > 0; i--)
            {
                text.Append("- ").Append(LoopText.Sentence(random)).Append(' ').Append(LoopText.Sentence(random)).Append('\n');
            }
            text.Append("\n<example>\nuser: ").Append(LoopText.Sentence(random)).Append("\nassistant: ").Append(LoopText.Sentence(random))
                .Append("\n</example>\n\n");
        }
        text.Append("# Environment\n\n<env>\nWorking directory: /repo\nIs directory a git repo: Yes\nPlatform: linux\nOS Version: Linux 6.8\n</env>\n");
        return text.ToString();
    }

    private static readonly (string Name, string Purpose, ToolParameter[] Parameters)[] ToolNames =
    [
        ("read", "Reads a file from the local filesystem.", [new("file_path", "string", "The absolute path to the file to read"), new("offset", "number", "The line number to start reading from", false), new("limit", "number", "The number of lines to read", false)]),
        ("write", "Writes a file to the local filesystem.", [new("file_path", "string", "The absolute path to the file to write"), new("content", "string", "The content to write to the file")]),
        ("edit", "Performs exact string replacements in files.", [new("file_path", "string", "The absolute path to the file to modify"), new("old_string", "string", "The text to replace"), new("new_string", "string", "The text to replace it with"), new("replace_all", "boolean", "Replace all occurrences", false)]),
        ("multi_edit", "Makes several edits to one file in one operation.", [new("file_path", "string", "The absolute path to the file to modify"), new("edits", "array", "Array of edit operations to perform sequentially")]),
        ("glob", "Fast file pattern matching tool that works with any codebase size.", [new("pattern", "string", "The glob pattern to match files against"), new("path", "string", "The directory to search in", false)]),
        ("grep", "A powerful search tool built on ripgrep.", [new("pattern", "string", "The regular expression pattern to search for"), new("path", "string", "File or directory to search in", false), new("glob", "string", "Glob pattern to filter files", false), new("output_mode", "string", "content, files_with_matches or count", false)]),
        ("ls", "Lists files and directories in a given path.", [new("path", "string", "The absolute path to the directory to list"), new("ignore", "array", "List of glob patterns to ignore", false)]),
        ("bash", "Executes a given bash command in a persistent shell session with optional timeout.", [new("command", "string", "The command to execute"), new("timeout", "number", "Optional timeout in milliseconds", false), new("description", "string", "Clear, concise description of what this command does in 5-10 words")]),
        ("bash_output", "Retrieves output from a running or completed background bash shell.", [new("bash_id", "string", "The ID of the background shell")]),
        ("kill_shell", "Kills a running background bash shell by its ID.", [new("shell_id", "string", "The ID of the background shell to kill")]),
        ("web_fetch", "Fetches content from a specified URL and processes it.", [new("url", "string", "The URL to fetch content from"), new("prompt", "string", "The prompt to run on the fetched content")]),
        ("web_search", "Searches the web and uses the results to inform responses.", [new("query", "string", "The search query to use"), new("allowed_domains", "array", "Only include results from these domains", false)]),
        ("todo_write", "Creates and manages a structured task list for the current session.", [new("todos", "array", "The updated todo list")]),
        ("notebook_edit", "Replaces the contents of a specific cell in a Jupyter notebook.", [new("notebook_path", "string", "The absolute path to the notebook"), new("cell_id", "string", "The ID of the cell to edit", false), new("new_source", "string", "The new source for the cell")]),
        ("spawn_subagent", "Launches a sub-agent to handle a complex, multi-step task autonomously.", [new("agent_type", "string", "The type of agent to launch"), new("description", "string", "A short description of the task"), new("prompt", "string", "The task for the agent to perform")]),
        ("request_human_feedback", "Asks the human a question and waits for the answer.", [new("kind", "string", "approval, text or choice"), new("message", "string", "The question"), new("options", "array", "The options of a choice", false)]),
        ("create_memory", "Leaves a note for later phases of this run.", [new("kind", "string", "The kind of note"), new("content", "string", "The note")]),
        ("read_memory", "Reads the notes earlier phases of this run left.", [new("kind", "string", "Only notes of this kind", false)]),
        ("git_diff", "Shows the working tree's changes against a base.", [new("base", "string", "The base revision", false), new("path", "string", "Only changes under this path", false)]),
        ("git_status", "Shows the working tree's status.", []),
        ("run_tests", "Runs the repository's test suite or a filtered part of it.", [new("filter", "string", "A test filter", false), new("timeout", "number", "Optional timeout in milliseconds", false)]),
        ("view_image", "Takes a screenshot of a page of the running application.", [new("url", "string", "The page to capture"), new("width", "number", "Viewport width", false)]),
    ];

    /// <summary>The 22 tools, with descriptions of 0.5–1.7 KB (about 34 KB as JSON in all).</summary>
    private static List<ToolSpec> ToolsFor(Random random)
    {
        var tools = new List<ToolSpec>(ToolNames.Length);
        foreach (var (name, purpose, parameters) in ToolNames)
        {
            var description = new StringBuilder();
            description.Append(purpose).Append("\n\nUsage:\n");
            for (var i = random.Next(3, 8); i > 0; i--)
            {
                description.Append("- ").Append(LoopText.Sentence(random)).Append('\n');
            }
            description.Append('\n').Append(LoopText.Prose(random, random.Next(150, 900)));
            tools.Add(new ToolSpec(name, description.ToString(), parameters));
        }
        return tools;
    }
}
