using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewAgentStep>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>agent_steps: one model step of an invocation (data-model.md).</summary>
internal static class AgentSteps
{
    public const string Name = "agent_steps";

    public static readonly C Id = C.NewId("id", d => d.Id);
    public static readonly C InvocationId = C.Id("invocation_id", d => d.InvocationId);

    /// <summary>What <c>CreateAgentStep</c> writes from <see cref="NewAgentStep"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewAgentStep> Create = new(Name,
    [
        Id,
        InvocationId,
        C.Count("step_number", d => d.StepNumber),
        C.Text("model_provider", d => d.ModelProvider),
        C.Text("model_id", d => d.ModelId),
        C.Text("function_id", d => d.FunctionId),
        C.Json("metadata", d => d.Metadata),
        C.Text("text", d => d.Text),
        C.Text("reasoning_text", d => d.ReasoningText),
        C.Json("reasoning", d => d.Reasoning),
        C.Json("content", d => d.Content),
        C.Json("files", d => d.Files),
        C.Json("sources", d => d.Sources),
        C.Enum("finish_reason", d => d.FinishReason),
        C.Text("raw_finish_reason", d => d.RawFinishReason),
        .. UsageColumns.For<NewAgentStep>(d => d.Usage),
        C.Json("warnings", d => d.Warnings),
        C.RedactedJson("request_body", d => d.RequestBody),
        C.Text("response_id", d => d.ResponseId),
        C.Text("response_model_id", d => d.ResponseModelId),
        C.RedactedJson("response_headers", d => d.ResponseHeaders),
        C.RedactedJson("response_body", d => d.ResponseBody),
        C.Time("response_timestamp", d => d.ResponseTimestamp),
        C.RedactedJson("provider_metadata", d => d.ProviderMetadata),
    ]);

    public static readonly ColumnShape RunId = new("run_id", Col.Guid, false);
    public static readonly ColumnShape CreatedAt = new("created_at", Col.Time, false);

    /// <summary><c>run_id</c> is copied from the invocation, <c>created_at</c> stamped.</summary>
    public static readonly TableDefinition Definition = new(Name, [RunId, CreatedAt], Create.Shapes);

    private static readonly Columns Columns = Create.Columns;

    private static readonly Param[] InsertParams = [.. Columns.Items, new("created_at", Col.Time)];

    // No conflict target: a repeated id and a repeated (invocation_id, step_number) are both replays.
    // Only under an open invocation, share-locked on PostgreSQL (see PipelinePersistence.States.cs).
    public static readonly CreateSpec Insert = new(Name, Columns, new Sql(
        $"INSERT INTO {{s}}.agent_steps (run_id, created_at, {Columns.Names}) " +
        $"SELECT i.run_id, @created_at, {Columns.Params} FROM {{s}}.agent_invocations i WHERE i.id = @invocation_id AND i.completed_at IS NULL{{forshare}} ON CONFLICT DO NOTHING",
        InsertParams), naturalKey: ["invocation_id", "step_number"], groupCommitted: true, batchOrder: 1, insertManyTemplate:
        $"INSERT INTO {{s}}.agent_steps (run_id, created_at, {Columns.Names}) " +
        $"SELECT i.run_id, u.created_at, {Columns.FromUnnest} FROM {Columns.Unnest(InsertParams)} " +
        // LATERAL … OFFSET 0: one primary-key lookup per row, never a hash join over the whole parent table.
        "CROSS JOIN LATERAL (SELECT p.run_id FROM {s}.agent_invocations p WHERE p.id = u.invocation_id AND p.completed_at IS NULL OFFSET 0 FOR SHARE) i " +
        "ON CONFLICT DO NOTHING RETURNING id");
}
