namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// Which columns of a write are stored in the shared form when large, and how their pieces are
/// inserted: one row of <c>run_contents</c> per new piece, its <c>run_id</c> taken in SQL from the
/// row's parent (as the row's own is), <c>ON CONFLICT DO NOTHING</c> (writers of one run may race
/// on a piece).
/// </summary>
internal sealed class SharedColumns
{
    /// <param name="columns">The write's columns, in the order of its values.</param>
    /// <param name="names">The shared ones.</param>
    /// <param name="parent">The column holding the parent's id (the invocation of a step), or null when the caller passes it.</param>
    /// <param name="parentRunSql">
    /// The FROM … WHERE that gives the parent's run as <c>x.run_id</c> for the parent id <c>@parent</c>
    /// (and only while the row may still be written).
    /// </param>
    public SharedColumns(Columns columns, string[] names, string? parent, string parentRunSql)
    {
        Indexes = [.. names.Select(columns.IndexOf)];
        Names = names;
        Json = [.. Indexes.Select(i => columns.Items[i].Type == Col.Json)];
        ParentIndex = parent is null ? -1 : columns.IndexOf(parent);
        Insert = new Sql(
            $"INSERT INTO {{s}}.run_contents (run_id, hash, body) SELECT x.run_id, @hash, @body {parentRunSql} ON CONFLICT DO NOTHING",
            [new("hash", Col.Text), new("body", Col.Text), new("parent", Col.Guid)]);
    }

    /// <summary>
    /// Whether a part's text ends a list that more members follow (<c>],"</c>, as after a request's
    /// messages): a block closes before such a part (ContentStore). Only structural text can hold
    /// it (inside a JSON string a quote is escaped), so a string leaf (starting with a quote) is not searched.
    /// </summary>
    /// <summary>
    /// A block closes before a part that <see cref="EndsList"/> once it holds this many pieces: so
    /// the lists inside a tool's schema, which end the same way, do not cut the tools into blocks of one tool.
    /// </summary>
    public const int ListEndMinPieces = 8;

    public static bool EndsList(ReadOnlySpan<byte> part) => part.Length > 0 && part[0] != (byte)'"' && part.IndexOf("],\""u8) >= 0;

    public int[] Indexes { get; }

    public string[] Names { get; }

    public bool[] Json { get; }

    public int ParentIndex { get; }

    public Sql Insert { get; }

    /// <summary>The steps' shared columns: pieces go to the run of the step's open invocation.</summary>
    public static SharedColumns ForSteps(Columns columns) => new(columns, ["content", "request_body", "response_body"], "invocation_id",
        "FROM {s}.agent_invocations x WHERE x.id = @parent AND x.completed_at IS NULL");

    public static SharedColumns ForInvocations(Columns columns) => new(columns, ["system_prompt", "input_messages"], "phase_result_id",
        "FROM {s}.phase_results x WHERE x.id = @parent");

    /// <summary>
    /// A tool call's input and output (<c>CreateToolCall</c>): pieces go to the run of the step, while
    /// its invocation is open (as the row itself). A tool output is the same piece as in the step's
    /// <c>content</c>, the invocation's <c>response_messages</c> and every later request.
    /// </summary>
    public static SharedColumns ForToolCalls(Columns columns) => new(columns, ["input", "output"], "step_id",
        "FROM {s}.agent_steps x JOIN {s}.agent_invocations i ON i.id = x.invocation_id WHERE x.id = @parent AND i.completed_at IS NULL");

    /// <summary>A tool call's output recorded later (<c>CompleteToolCall</c>): pieces go to the tool call's run, while it has no result (as the update itself).</summary>
    public static SharedColumns ForToolResults(Columns columns) => new(columns, ["output"], null,
        "FROM {s}.tool_calls x WHERE x.id = @parent AND x.output IS NULL AND x.output_type IS NULL AND x.error IS NULL");

    public static SharedColumns ForCompletions(Columns columns) => new(columns,
        ["output_content", "response_messages", "response_body", "request_body"], null,
        "FROM {s}.agent_invocations x WHERE x.id = @parent AND x.completed_at IS NULL");
}
