using System.Text.Json;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Internal;
using static AgentPipeline.Cli.Reading.Query;

namespace AgentPipeline.Cli.Reading;

/// <summary>Reads CTAs with their resolution and phase, in plain SQL (<see cref="Query"/>).</summary>
internal static class CtaQueries
{
    private const string Columns =
        "c.id, c.run_id, c.phase_result_id, c.invocation_id, c.tool_call_id, c.kind, c.request_message, c.request_prompt, c.request_placeholder, "
        + "c.request_options, c.response_approved, c.response_reason, c.response_text, c.response_selected_id, c.requested_at, c.responded_at, "
        + "c.timed_out, p.phase";

    private static readonly Param[] Results =
    [
        P("id", Col.Guid), P("run_id", Col.Guid), P("phase_result_id", Col.Guid), P("invocation_id", Col.Guid), P("tool_call_id", Col.Text),
        P("kind", Col.Text), P("request_message", Col.Text), P("request_prompt", Col.Text), P("request_placeholder", Col.Text),
        P("request_options", Col.Json), P("response_approved", Col.Bool), P("response_reason", Col.Text), P("response_text", Col.Text),
        P("response_selected_id", Col.Text), P("requested_at", Col.Time), P("responded_at", Col.Time), P("timed_out", Col.Bool),
        P("phase", Col.Text),
    ];

    private const string From = "FROM {s}.cta_events c LEFT JOIN {s}.phase_results p ON p.id = c.phase_result_id ";

    private const string Filter = "WHERE (@open = 0 OR c.responded_at IS NULL) AND (@run_id IS NULL OR c.run_id = @run_id) ";

    private static readonly Param[] FilterParams = [P("open", Col.Long), P("run_id", Col.Guid)];

    private static readonly Sql NewestSql = Statement(
        $"SELECT {Columns} {From}{Filter}ORDER BY c.requested_at DESC, c.id DESC LIMIT @limit", [.. FilterParams, P("limit", Col.Long)], Results);

    private static readonly Sql OldestSql = Statement(
        $"SELECT {Columns} {From}{Filter}ORDER BY c.requested_at, c.id LIMIT @limit", [.. FilterParams, P("limit", Col.Long)], Results);

    private static readonly Sql CountSql = Statement(
        $"SELECT CAST(COUNT(*) AS BIGINT) FROM {{s}}.cta_events c {Filter}", FilterParams, P("count", Col.Long));

    private static readonly Sql OneSql = Statement($"SELECT {Columns} {From}WHERE c.id = @id", [P("id", Col.Guid)], Results);

    /// <param name="db">The store to read.</param>
    /// <param name="openOnly">Only CTAs nobody answered and that did not time out.</param>
    /// <param name="runId">Only this run's CTAs, when given.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="newestFirst">Newest first (lists) or oldest first (a run's story).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The CTAs, and how many match in all.</returns>
    public static async Task<(IReadOnlyList<CtaView> Ctas, int Total)> ListAsync(
        PipelineDb db, bool openOnly, Guid? runId, int limit, bool newestFirst, CancellationToken cancellationToken)
    {
        object?[] filter = [openOnly ? 1L : 0L, runId];
        var total = await Query.LongAsync(db, CountSql, filter, cancellationToken);
        var rows = await Query.RowsAsync(db, newestFirst ? NewestSql : OldestSql, [.. filter, (long)limit], cancellationToken);
        return ([.. rows.Select(ToView)], (int)total);
    }

    private static readonly Sql AgentTypeSql = Statement(
        "SELECT agent_type FROM {s}.agent_invocations WHERE id = @id", [P("id", Col.Guid)], P("agent_type", Col.Text));

    /// <summary>The agent type of the invocation that asked, or null when it is not stored.</summary>
    public static async Task<AgentType?> AgentTypeAsync(PipelineDb db, Guid invocationId, CancellationToken cancellationToken) =>
        NullableEnum<AgentType>((await Query.RowAsync(db, AgentTypeSql, [invocationId], cancellationToken))?[0]);

    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    public static async Task<CtaView> ReadAsync(PipelineDb db, Guid id, CancellationToken cancellationToken) =>
        ToView(await Query.RowAsync(db, OneSql, [id], cancellationToken) ?? throw new RecordNotFoundException("cta_events", id.ToString()));

    private static CtaView ToView(object?[] c)
    {
        var id = Guid(c[0]);
        var runId = Guid(c[1]);
        var respondedAt = NullableTime(c[15]);
        var timedOut = NullableBool(c[16]) ?? false;
        return new CtaView(
            id,
            ShortId.Of(id),
            runId,
            ShortId.Of(runId),
            NullableGuid(c[2]),
            NullableText(c[17]),
            NullableGuid(c[3]),
            NullableText(c[4]),
            Format.Name(Enum<CtaKind>(c[5])),
            NullableText(c[6]),
            NullableText(c[7]),
            NullableText(c[8]),
            Options(c[9] as JsonElement?),
            respondedAt is null ? CtaView.Open : timedOut ? CtaView.TimedOutStatus : CtaView.Answered,
            respondedAt is null || timedOut ? null : new CtaResponseView(NullableBool(c[10]), NullableText(c[11]), NullableText(c[12]), NullableText(c[13])),
            Time(c[14]),
            respondedAt,
            timedOut);
    }

    /// <summary>request_options as stored by the library: <c>[{id, label}]</c>.</summary>
    private static List<CtaOptionView>? Options(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Array } options)
        {
            return null;
        }
        return [.. options.EnumerateArray().Select(o => new CtaOptionView(
                o.TryGetProperty("id", out var id) ? id.ToString() : "",
                o.TryGetProperty("label", out var label) ? label.ToString() : ""))];
    }
}
