using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewAgentInvocation>;
using Done = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.AgentInvocationCompletion>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>agent_invocations: one agent's run, created when it starts and completed once (data-model.md).</summary>
internal static class AgentInvocations
{
    public const string Name = "agent_invocations";

    public static readonly C Id = C.NewId("id", d => d.Id);
    public static readonly C PhaseResultId = C.Id("phase_result_id", d => d.PhaseResultId);

    /// <summary>What <c>CreateAgentInvocation</c> writes from <see cref="NewAgentInvocation"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewAgentInvocation> Create = new(Name,
    [
        Id,
        PhaseResultId,
        C.OptionalId("parent_invocation_id", d => d.ParentInvocationId),
        C.Enum("agent_type", d => d.AgentType),
        C.Text("model_provider", d => d.ModelProvider),
        C.Text("model_id", d => d.ModelId),
        C.Text("system_prompt", d => d.SystemPrompt),
        C.Json("input_messages", d => d.InputMessages),
    ]);

    /// <summary>What <c>CompleteAgentInvocation</c> writes from <see cref="AgentInvocationCompletion"/>; the token columns last.</summary>
    public static readonly ColumnSet<AgentInvocationCompletion> Completion = new(Name,
    [
        Done.Enum("finish_reason", d => d.FinishReason),
        Done.Text("raw_finish_reason", d => d.RawFinishReason),
        Done.Text("output_text", d => d.OutputText),
        Done.Text("output_reasoning_text", d => d.OutputReasoningText),
        Done.Json("output_reasoning", d => d.OutputReasoning),
        Done.Json("output_content", d => d.OutputContent),
        Done.Json("output_files", d => d.OutputFiles),
        Done.Json("output_sources", d => d.OutputSources),
        Done.Json("response_messages", d => d.ResponseMessages),
        Done.Text("response_id", d => d.ResponseId),
        Done.Text("response_model_id", d => d.ResponseModelId),
        Done.RedactedJson("response_headers", d => d.ResponseHeaders),
        Done.RedactedJson("response_body", d => d.ResponseBody),
        Done.Time("response_timestamp", d => d.ResponseTimestamp),
        Done.RedactedJson("provider_metadata", d => d.ProviderMetadata),
        Done.Json("warnings", d => d.Warnings),
        Done.RedactedJson("request_body", d => d.RequestBody),
        Done.Count("step_count", d => d.StepCount),
        .. UsageColumns.For<AgentInvocationCompletion>(d => d.Usage),
    ]);

    /// <summary>Where <see cref="Completion"/>'s values hold the token counts (summed from the steps when the call has no usage).</summary>
    public static readonly int CompletionCounts = Completion.Columns.IndexOf(UsageColumns.Counts[0].Name);

    public static readonly ColumnShape RunId = new("run_id", Col.Guid, false);
    public static readonly ColumnShape StartedAt = new("started_at", Col.Time, false);
    public static readonly ColumnShape CompletedAt = new("completed_at", Col.Time, true);

    /// <summary><c>run_id</c> is copied from the phase result, <c>started_at</c> and <c>completed_at</c> stamped.</summary>
    public static readonly TableDefinition Definition = new(Name, [RunId, StartedAt, CompletedAt], Create.Shapes, Completion.Shapes);

    private static readonly Columns Columns = Create.Columns;

    public static readonly CreateSpec Insert = new(Name, Columns, new Sql(
        $"INSERT INTO {{s}}.agent_invocations (run_id, started_at, {Columns.Names}) " +
        $"SELECT p.run_id, @started_at, {Columns.Params} FROM {{s}}.phase_results p WHERE p.id = @phase_result_id " +
        "AND (@parent_invocation_id IS NULL OR EXISTS (SELECT 1 FROM {s}.agent_invocations a WHERE a.id = @parent_invocation_id AND a.phase_result_id = p.id)) " +
        "ON CONFLICT (id) DO NOTHING",
        [.. Columns.Items, new("started_at", Col.Time)]), groupCommitted: true);
}
