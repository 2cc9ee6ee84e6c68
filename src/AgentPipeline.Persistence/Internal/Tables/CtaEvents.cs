using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewCtaEvent>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>cta_events: a question to a human and its answer or timeout (data-model.md).</summary>
internal static class CtaEvents
{
    public const string Name = "cta_events";

    /// <summary>
    /// What <c>CreateCtaEvent</c> writes from <see cref="NewCtaEvent"/>, <c>id</c> first; the
    /// request fields are checked against the kind by <c>request_options</c>'s builder, which
    /// comes after <c>kind</c>.
    /// </summary>
    public static readonly ColumnSet<NewCtaEvent> Create = new(Name,
    [
        C.NewId("id", d => d.Id),
        C.Id("run_id", d => d.RunId),
        C.OptionalId("phase_result_id", d => d.PhaseResultId),
        C.OptionalId("invocation_id", d => d.InvocationId),
        C.OptionalKey("tool_call_id", d => d.ToolCallId),
        C.Enum("kind", d => d.Kind),
        C.Text("request_message", d => d.RequestMessage),
        C.Text("request_prompt", d => d.RequestPrompt),
        C.Text("request_placeholder", d => d.RequestPlaceholder),
        C.JsonFrom("request_options", PipelinePersistence.CheckCtaRequest),
    ]);

    /// <summary><c>requested_at</c> is stamped and <c>timed_out</c> false; an answer or a timeout fills the rest.</summary>
    public static readonly TableDefinition Definition = new(Name,
    [
        new("requested_at", Col.Time, false), new("timed_out", Col.Bool, false), new("response_approved", Col.Bool, true),
        new("response_reason", Col.Text, true), new("response_text", Col.Text, true), new("response_selected_id", Col.Text, true),
        new("responded_at", Col.Time, true),
    ], Create.Shapes);
}
