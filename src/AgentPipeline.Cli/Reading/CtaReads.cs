using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Reading;

/// <summary>CTAs through the library's public reads, as the CLI shows them (<see cref="CtaView"/>).</summary>
internal static class CtaReads
{
    /// <summary>Every CTA of a state (of one run, or of all), oldest first, a page of the library's largest size at a time.</summary>
    public static async IAsyncEnumerable<CtaEvent> AllAsync(
        PipelineDb db, CtaEventState state, Guid? runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await PipelinePersistence.ListCtaEventsAsync(
                db, new CtaEventQuery { State = state, RunId = runId, PageSize = CtaEventQuery.MaxPageSize, Cursor = cursor }, cancellationToken);
            foreach (var cta in page.Items)
            {
                yield return cta;
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <param name="db">The store to read.</param>
    /// <param name="openOnly">Only CTAs nobody answered and that did not time out.</param>
    /// <param name="runId">Only this run's CTAs, when given.</param>
    /// <param name="limit">At most this many: the newest.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The newest CTAs first, and how many match in all.</returns>
    public static async Task<(IReadOnlyList<CtaView> Ctas, int Total)> ListAsync(
        PipelineDb db, bool openOnly, Guid? runId, int limit, CancellationToken cancellationToken)
    {
        // The library lists oldest first; the newest are the last ones of the walk.
        var newest = new Queue<CtaEvent>();
        var total = 0;
        await foreach (var cta in AllAsync(db, openOnly ? CtaEventState.Open : CtaEventState.All, runId, cancellationToken))
        {
            total++;
            newest.Enqueue(cta);
            if (newest.Count > limit)
            {
                newest.Dequeue();
            }
        }
        var phases = new PhaseNames(db);
        var views = new List<CtaView>(newest.Count);
        foreach (var cta in newest.Reverse())
        {
            views.Add(ToView(cta, await phases.OfAsync(cta.PhaseResultId, cancellationToken)));
        }
        return (views, total);
    }

    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    public static async Task<CtaView> ReadAsync(PipelineDb db, Guid id, CancellationToken cancellationToken)
    {
        var cta = await PipelinePersistence.GetCtaEventAsync(db, id, cancellationToken);
        return ToView(cta, await new PhaseNames(db).OfAsync(cta.PhaseResultId, cancellationToken));
    }

    /// <summary>The agent type of the invocation that asked, or null when it is not stored.</summary>
    public static async Task<AgentType?> AgentTypeAsync(PipelineDb db, Guid invocationId, CancellationToken cancellationToken)
    {
        try
        {
            return (await PipelinePersistence.GetAgentInvocationAsync(db, invocationId, cancellationToken)).AgentType;
        }
        catch (RecordNotFoundException)
        {
            return null;
        }
    }

    /// <param name="cta">The CTA as the library returns it.</param>
    /// <param name="phase">The stored name of its phase result's phase, when it has one.</param>
    public static CtaView ToView(CtaEvent cta, string? phase)
    {
        var resolution = cta.Resolution;
        return new CtaView(
            cta.Id,
            ShortId.Of(cta.Id),
            cta.RunId,
            ShortId.Of(cta.RunId),
            cta.PhaseResultId,
            phase,
            cta.InvocationId,
            cta.ToolCallId,
            Format.Name(cta.Kind),
            cta.RequestMessage,
            cta.RequestPrompt,
            cta.RequestPlaceholder,
            cta.RequestOptions is { } options ? [.. options.Select(o => new CtaOptionView(o.Id, o.Label))] : null,
            resolution is null ? CtaView.Open : resolution.TimedOut ? CtaView.TimedOutStatus : CtaView.Answered,
            resolution is { TimedOut: false, Response: { } r } ? new CtaResponseView(r.Approved, r.Reason, r.Text, r.SelectedId) : null,
            cta.RequestedAt,
            resolution?.ResolvedAt,
            resolution?.TimedOut ?? false);
    }

    /// <summary>Phase names by phase result id, each read once.</summary>
    private sealed class PhaseNames(PipelineDb db)
    {
        private readonly Dictionary<Guid, string?> _names = [];

        public async Task<string?> OfAsync(Guid? phaseResultId, CancellationToken cancellationToken)
        {
            if (phaseResultId is not { } id)
            {
                return null;
            }
            if (!_names.TryGetValue(id, out var name))
            {
                try
                {
                    name = Format.Name((await PipelinePersistence.GetPhaseResultAsync(db, id, cancellationToken)).Phase);
                }
                catch (RecordNotFoundException)
                {
                    name = null;
                }
                _names[id] = name;
            }
            return name;
        }
    }
}
