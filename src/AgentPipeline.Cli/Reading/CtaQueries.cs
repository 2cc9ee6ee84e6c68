using System.Text.Json;
using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Schema;
using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Cli.Reading;

/// <summary>Reads CTAs with their resolution through the EF Core model.</summary>
internal static class CtaQueries
{
    /// <param name="context">The model to read.</param>
    /// <param name="openOnly">Only CTAs nobody answered and that did not time out.</param>
    /// <param name="runId">Only this run's CTAs, when given.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="newestFirst">Newest first (lists) or oldest first (a run's story).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The CTAs, and how many match in all.</returns>
    public static async Task<(IReadOnlyList<CtaView> Ctas, int Total)> ListAsync(
        PipelineDbContext context, bool openOnly, Guid? runId, int limit, bool newestFirst, CancellationToken cancellationToken)
    {
        var query = context.CtaEvents.AsQueryable();
        if (openOnly)
        {
            query = query.Where(c => c.RespondedAt == null);
        }
        if (runId is { } run)
        {
            query = query.Where(c => c.RunId == run);
        }
        var total = await query.CountAsync(cancellationToken);
        var ordered = newestFirst
            ? query.OrderByDescending(c => c.RequestedAt).ThenByDescending(c => c.Id)
            : query.OrderBy(c => c.RequestedAt).ThenBy(c => c.Id);
        var rows = await ordered.Take(limit)
            .Select(c => new CtaRowProjection(
                c.Id, c.RunId, c.PhaseResultId, c.InvocationId, c.ToolCallId, c.Kind, c.RequestMessage, c.RequestPrompt, c.RequestPlaceholder,
                c.RequestOptions, c.ResponseApproved, c.ResponseReason, c.ResponseText, c.ResponseSelectedId, c.RequestedAt, c.RespondedAt, c.TimedOut))
            .ToListAsync(cancellationToken);
        return ([.. await ToViewsAsync(context, rows, cancellationToken)], total);
    }

    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    public static async Task<CtaView> ReadAsync(PipelineDbContext context, Guid id, CancellationToken cancellationToken)
    {
        var row = await context.CtaEvents.Where(c => c.Id == id)
            .Select(c => new CtaRowProjection(
                c.Id, c.RunId, c.PhaseResultId, c.InvocationId, c.ToolCallId, c.Kind, c.RequestMessage, c.RequestPrompt, c.RequestPlaceholder,
                c.RequestOptions, c.ResponseApproved, c.ResponseReason, c.ResponseText, c.ResponseSelectedId, c.RequestedAt, c.RespondedAt, c.TimedOut))
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("cta_events", id.ToString());
        return (await ToViewsAsync(context, [row], cancellationToken))[0];
    }

    private static async Task<List<CtaView>> ToViewsAsync(PipelineDbContext context, List<CtaRowProjection> rows, CancellationToken cancellationToken)
    {
        var phaseResultIds = rows.Select(r => r.PhaseResultId).OfType<Guid>().Distinct().ToList();
        var phases = phaseResultIds.Count == 0
            ? []
            : await context.PhaseResults.Where(p => phaseResultIds.Contains(p.Id))
                .Select(p => new { p.Id, p.Phase })
                .ToDictionaryAsync(p => p.Id, p => p.Phase, cancellationToken);
        return [.. rows.Select(c => new CtaView(
            c.Id,
            ShortId.Of(c.Id),
            c.RunId,
            ShortId.Of(c.RunId),
            c.PhaseResultId,
            c.PhaseResultId is { } p && phases.TryGetValue(p, out var phase) ? Format.Name(phase) : null,
            c.InvocationId,
            c.ToolCallId,
            Format.Name(c.Kind),
            c.RequestMessage,
            c.RequestPrompt,
            c.RequestPlaceholder,
            Options(c.RequestOptions),
            c.RespondedAt is null ? CtaView.Open : c.TimedOut ? CtaView.TimedOutStatus : CtaView.Answered,
            c.RespondedAt is null || c.TimedOut ? null : new CtaResponseView(c.ResponseApproved, c.ResponseReason, c.ResponseText, c.ResponseSelectedId),
            c.RequestedAt,
            c.RespondedAt,
            c.TimedOut))];
    }

    /// <summary>request_options as stored by the library: <c>[{id, label}]</c>.</summary>
    private static List<CtaOptionView>? Options(string? json)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind != JsonValueKind.Array
            ? null
            : [.. document.RootElement.EnumerateArray().Select(o => new CtaOptionView(
                o.TryGetProperty("id", out var id) ? id.ToString() : "",
                o.TryGetProperty("label", out var label) ? label.ToString() : ""))];
    }

    private sealed record CtaRowProjection(
        Guid Id, Guid RunId, Guid? PhaseResultId, Guid? InvocationId, string? ToolCallId, CtaKind Kind, string? RequestMessage,
        string? RequestPrompt, string? RequestPlaceholder, string? RequestOptions, bool? ResponseApproved, string? ResponseReason,
        string? ResponseText, string? ResponseSelectedId, DateTimeOffset RequestedAt, DateTimeOffset? RespondedAt, bool TimedOut);
}
