using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewCtaEvent>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>cta_events: a question to a human and its answer or timeout (data-model.md).</summary>
internal static class CtaEvents
{
    public const string Name = "cta_events";

    public static readonly C Id = C.NewId("id", d => d.Id);
    public static readonly C RunId = C.Id("run_id", d => d.RunId);
    public static readonly C Kind = C.Enum("kind", d => d.Kind);
    public static readonly C RequestOptions = C.JsonFrom("request_options", PipelinePersistence.CheckCtaRequest);

    /// <summary>
    /// What <c>CreateCtaEvent</c> writes from <see cref="NewCtaEvent"/>, <c>id</c> first; the
    /// request fields are checked against the kind by <c>request_options</c>'s builder, which
    /// comes after <c>kind</c>.
    /// </summary>
    public static readonly ColumnSet<NewCtaEvent> Create = new(Name,
    [
        Id,
        RunId,
        C.OptionalId("phase_result_id", d => d.PhaseResultId),
        C.OptionalId("invocation_id", d => d.InvocationId),
        C.OptionalKey("tool_call_id", d => d.ToolCallId),
        Kind,
        C.Text("request_message", d => d.RequestMessage),
        C.Text("request_prompt", d => d.RequestPrompt),
        C.Text("request_placeholder", d => d.RequestPlaceholder),
        RequestOptions,
    ]);

    public static readonly ColumnShape RequestedAt = new("requested_at", Col.Time, false);
    public static readonly ColumnShape TimedOut = new("timed_out", Col.Bool, false);
    public static readonly ColumnShape ResponseApproved = new("response_approved", Col.Bool, true);
    public static readonly ColumnShape ResponseReason = new("response_reason", Col.Text, true);
    public static readonly ColumnShape ResponseText = new("response_text", Col.Text, true);
    public static readonly ColumnShape ResponseSelectedId = new("response_selected_id", Col.Text, true);

    /// <summary>Set by an answer and by a timeout alike: NULL is the whole of "unresolved".</summary>
    public static readonly ColumnShape RespondedAt = new("responded_at", Col.Time, true);

    /// <summary><c>requested_at</c> is stamped and <c>timed_out</c> false; an answer or a timeout fills the rest.</summary>
    public static readonly TableDefinition Definition = new(Name,
        [RequestedAt, TimedOut, ResponseApproved, ResponseReason, ResponseText, ResponseSelectedId, RespondedAt], Create.Shapes);
}
