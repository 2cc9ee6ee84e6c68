using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewToolCall>;
using Done = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.ToolCallCompletion>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>tool_calls: one tool call of a step, with its result (data-model.md).</summary>
internal static class ToolCalls
{
    public const string Name = "tool_calls";

    /// <summary>What <c>CreateToolCall</c> writes from <see cref="NewToolCall"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewToolCall> Create = new(Name,
    [
        C.NewId("id", d => d.Id),
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

    /// <summary>
    /// What <c>CompleteToolCall</c> writes from <see cref="ToolCallCompletion"/>: the result columns
    /// of <see cref="Create"/> (<see cref="ToolCallResult.ColumnNames"/>), read from the completion.
    /// </summary>
    public static readonly ColumnSet<ToolCallCompletion> Result = new(Name,
    [
        Done.Json("output", d => d.Output),
        Done.Enum("output_type", d => d.OutputType),
        Done.Json("error", d => d.Error),
        Done.Bool("is_invalid", d => d.IsInvalid),
    ]);

    /// <summary><c>run_id</c> and <c>invocation_id</c> are copied from the step, <c>created_at</c> stamped.</summary>
    public static readonly TableDefinition Definition = new(Name,
        [new("run_id", Col.Guid, false), new("invocation_id", Col.Guid, false), new("created_at", Col.Time, false)],
        Create.Shapes, Result.Shapes);

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
        "WHERE p.id = u.step_id AND i.completed_at IS NULL OFFSET 0 FOR SHARE OF i) st ON CONFLICT DO NOTHING RETURNING id");
}
