using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewToolCall>;
using Done = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.ToolCallCompletion>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>tool_calls: one tool call of a step, with its result (data-model.md).</summary>
internal static class ToolCalls
{
    public const string Name = "tool_calls";

    public static readonly C Id = C.NewId("id", d => d.Id);

    /// <summary>What <c>CreateToolCall</c> writes from <see cref="NewToolCall"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewToolCall> Create = new(Name,
    [
        Id,
        C.Id("step_id", d => d.StepId),
        C.Key("tool_call_id", d => d.ToolCallId),
        C.Required("tool_name", d => d.ToolName),
        C.Json("input", d => d.Input),
        C.Json("output", d => d.Output),
        C.Enum("output_type", d => d.OutputType),
        C.Bool("is_dynamic", d => d.IsDynamic),
        C.Bool("is_invalid", d => d.IsInvalid),
        C.Json("error", d => d.Error),
        C.Bool("is_preliminary", d => d.IsPreliminary),
        C.Bool("is_provider_executed", d => d.IsProviderExecuted),
        C.Text("title", d => d.Title),
        C.RedactedJson("provider_metadata", d => d.ProviderMetadata),
    ]);

    // The result as CompleteToolCall writes it; a tool call has a result once one of these three is set.
    private static readonly Done Output = Done.Json("output", d => d.Output);
    private static readonly Done OutputType = Done.Enum("output_type", d => d.OutputType);
    private static readonly Done Error = Done.Json("error", d => d.Error);

    /// <summary>
    /// What <c>CompleteToolCall</c> writes from <see cref="ToolCallCompletion"/>: the result columns
    /// of <see cref="Create"/> (<see cref="ToolCallResult.ColumnNames"/>), read from the completion.
    /// </summary>
    public static readonly ColumnSet<ToolCallCompletion> Result = new(Name,
    [
        Output,
        OutputType,
        Error,
        Done.Bool("is_invalid", d => d.IsInvalid),
    ]);

    public static readonly ColumnShape RunId = new("run_id", Col.Guid, false);
    public static readonly ColumnShape InvocationId = new("invocation_id", Col.Guid, false);
    public static readonly ColumnShape CreatedAt = new("created_at", Col.Time, false);

    /// <summary><c>run_id</c> and <c>invocation_id</c> are copied from the step, <c>created_at</c> stamped.</summary>
    public static readonly TableDefinition Definition = new(Name, [RunId, InvocationId, CreatedAt], Create.Shapes, Result.Shapes);

    /// <summary>The condition "the tool call has no result yet": no output, output type or error.</summary>
    public static readonly Statement.Condition[] HasNoResult = [Statement.IsNull(Output), Statement.IsNull(OutputType), Statement.IsNull(Error)];

    private static readonly Columns Columns = Create.Columns;

    private static readonly Param[] InsertParams = [.. Columns.Items, new("created_at", Col.Time)];

    public static readonly CreateSpec Insert = new(Name, Columns, new Sql(
        $"INSERT INTO {{s}}.tool_calls (run_id, invocation_id, created_at, {Columns.Names}) " +
        $"SELECT st.run_id, st.invocation_id, @created_at, {Columns.Params} FROM {{s}}.agent_steps st " +
        "JOIN {s}.agent_invocations i ON i.id = st.invocation_id WHERE st.id = @step_id AND i.completed_at IS NULL{forshareof:i} ON CONFLICT DO NOTHING",
        InsertParams), naturalKey: ["step_id", "tool_call_id"], groupCommitted: true, batchOrder: 2, insertManyTemplate:
        $"INSERT INTO {{s}}.tool_calls (run_id, invocation_id, created_at, {Columns.Names}) " +
        $"SELECT st.run_id, st.invocation_id, u.created_at, {Columns.FromUnnest} FROM {Columns.Unnest(InsertParams)} " +
        "CROSS JOIN LATERAL (SELECT p.run_id, p.invocation_id FROM {s}.agent_steps p JOIN {s}.agent_invocations i ON i.id = p.invocation_id " +
        "WHERE p.id = u.step_id AND i.completed_at IS NULL OFFSET 0 FOR SHARE OF i) st ON CONFLICT DO NOTHING RETURNING id", shared: Content.SharedColumns.ForToolCalls(Columns));
}
