using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Columns CtaColumns = CtaEvents.Create.Columns;

    private static readonly CreateSpec CtaCreate = new(CtaEvents.Name, CtaColumns, new Sql(
        $"INSERT INTO {{s}}.cta_events (requested_at, timed_out, {CtaColumns.Names}) " +
        $"SELECT @requested_at, FALSE, {CtaColumns.Params} FROM {{s}}.feature_runs r WHERE r.id = @run_id AND {RunOpen} " +
        "AND (@phase_result_id IS NULL OR EXISTS (SELECT 1 FROM {s}.phase_results p WHERE p.id = @phase_result_id AND p.run_id = r.id)) " +
        "AND (@invocation_id IS NULL OR EXISTS (SELECT 1 FROM {s}.agent_invocations a WHERE a.id = @invocation_id AND a.run_id = r.id))" +
        // The run's row is share-locked on PostgreSQL: a run ending at that moment waits for this insert or makes it write nothing.
        "{forshare} ON CONFLICT (id) DO NOTHING",
        [.. CtaColumns.Items, P("requested_at", Col.Time)]));

    private static readonly Sql PhaseResultRun = Statement.Select(PhaseResults.Name, [PhaseResults.RunId], PhaseResults.Id);

    private static readonly Sql CtaState = Statement.Select(CtaEvents.Name,
        [CtaEvents.Kind, CtaEvents.RequestOptions, CtaEvents.RespondedAt, CtaEvents.TimedOut,
         CtaEvents.ResponseApproved, CtaEvents.ResponseReason, CtaEvents.ResponseText, CtaEvents.ResponseSelectedId], CtaEvents.Id);

    // "responded_at IS NULL" is the whole of "unresolved": both an answer and a timeout set it, so
    // whichever UPDATE commits first wins and the other matches no row. On PostgreSQL the winning
    // UPDATE also notifies channel agentpipe_cta with the id, delivered when it commits (CtaWatch).
    private static readonly Sql AnswerCta = Statement.Update(CtaEvents.Name)
        .Set(CtaEvents.ResponseApproved, CtaEvents.ResponseReason, CtaEvents.ResponseText, CtaEvents.ResponseSelectedId, CtaEvents.RespondedAt)
        .Where(CtaEvents.Id).And(Statement.IsNull(CtaEvents.RespondedAt)).ToSql("{notifycta}");

    private static readonly Sql TimeOutCta = Statement.Update(CtaEvents.Name).SetTo(CtaEvents.TimedOut, "TRUE").Set(CtaEvents.RespondedAt)
        .Where(CtaEvents.Id).And(Statement.IsNull(CtaEvents.RespondedAt)).ToSql("{notifycta}");

    /// <summary>
    /// Asks a human: approval (<see cref="NewCtaEvent.RequestMessage"/>), text
    /// (<see cref="NewCtaEvent.RequestPrompt"/>, optional placeholder) or choice (prompt and options).
    /// <c>requested_at</c> is stamped.
    /// </summary>
    /// <returns>The CTA's id: <see cref="NewCtaEvent.Id"/>, or a new UUIDv7.</returns>
    /// <exception cref="ArgumentException">A field is missing, belongs to another kind, or the phase result / invocation is of another run; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The run, phase result or invocation does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The run has completed or failed (and this CTA is not already stored).</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<Guid> CreateCtaEventAsync(PipelineDb db, NewCtaEvent data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var values = CtaEvents.Create.Values(data, db.Redactor, stamped: 1);
        values[0] ??= db.NewId();
        values[^1] = db.Now();
        return await db.Writes.InsertAsync(CtaCreate, values, values, data.Id is not null, new(data, static async (session, record, ct) =>
        {
            var data = (NewCtaEvent)record;
            await RequireOpenRunAsync(session, data.RunId, "cta_events", ct).ConfigureAwait(false);
            if (data.PhaseResultId is { } phaseResultId)
            {
                var owner = await session.QueryRowAsync(PhaseResultRun, [phaseResultId], ct).ConfigureAwait(false)
                    ?? throw new RecordNotFoundException("phase_results", phaseResultId.ToString());
                if ((Guid)owner[0]! != data.RunId)
                {
                    throw new ArgumentException($"data.PhaseResultId '{phaseResultId}' belongs to run '{owner[0]}', not '{data.RunId}'.", "data.PhaseResultId");
                }
            }
            if (data.InvocationId is { } invocationId)
            {
                var owner = await session.QueryRowAsync(InvocationRun, [invocationId], ct).ConfigureAwait(false)
                    ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
                throw new ArgumentException($"data.InvocationId '{invocationId}' belongs to run '{owner[0]}', not '{data.RunId}'.", "data.InvocationId");
            }
        }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a human's answer. It must match the CTA's kind (approval: <see cref="CtaResponse.Approved"/>;
    /// text: <see cref="CtaResponse.Text"/>; choice: <see cref="CtaResponse.SelectedId"/>, one of the
    /// options). Exactly one of this and <see cref="TimeoutCtaEventAsync"/> wins, even across machines;
    /// repeating the winning answer is a no-op.
    /// </summary>
    /// <exception cref="ArgumentException">The answer does not match the CTA's kind or options; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    /// <exception cref="CtaAlreadyResolvedException">It was already timed out or answered differently; carries the winning resolution.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task CompleteCtaEventAsync(PipelineDb db, Guid ctaId, CtaResponse responseData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(responseData);
        Check.Id(ctaId, nameof(ctaId));
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            var state = await ReadCtaStateAsync(session, ctaId, ct).ConfigureAwait(false);
            CheckCtaResponse(state.Kind, state.Options is { } options ? DbJson.Parse(options) : null, responseData);
            if (state.RespondedAt is null)
            {
                object?[] args = [responseData.Approved, responseData.Reason, responseData.Text, responseData.SelectedId, db.Now(), ctaId];
                if (await session.ExecuteAsync(AnswerCta, args, ct).ConfigureAwait(false) == 1)
                {
                    db.CtaWatch.Wake(ctaId);
                    return;
                }
                state = await ReadCtaStateAsync(session, ctaId, ct).ConfigureAwait(false);
            }
            var resolution = state.Resolution;
            if (resolution.TimedOut || resolution.Response != responseData)
            {
                throw new CtaAlreadyResolvedException(ctaId, resolution);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks a CTA as timed out (<c>timed_out</c> true, <c>responded_at</c> stamped). Exactly one of
    /// this and <see cref="CompleteCtaEventAsync"/> wins; repeating a timeout is a no-op.
    /// </summary>
    /// <exception cref="RecordNotFoundException">The CTA does not exist.</exception>
    /// <exception cref="CtaAlreadyResolvedException">It was already answered; carries the answer.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task TimeoutCtaEventAsync(PipelineDb db, Guid ctaId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(ctaId, nameof(ctaId));
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            if (await session.ExecuteAsync(TimeOutCta, [db.Now(), ctaId], ct).ConfigureAwait(false) == 1)
            {
                db.CtaWatch.Wake(ctaId);
                return;
            }
            var resolution = (await ReadCtaStateAsync(session, ctaId, ct).ConfigureAwait(false)).Resolution;
            if (!resolution.TimedOut)
            {
                throw new CtaAlreadyResolvedException(ctaId, resolution);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A CTA's question kind, options (stored text) and resolution, read without boxing.</summary>
    private sealed record CtaStateRow(CtaKind Kind, string? Options, DateTimeOffset? RespondedAt, bool TimedOut,
        bool? Approved, string? Reason, string? Text, string? SelectedId)
    {
        public CtaResolution Resolution => new(TimedOut,
            TimedOut ? null : new CtaResponse { Approved = Approved, Reason = Reason, Text = Text, SelectedId = SelectedId },
            RespondedAt!.Value);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<CtaStateRow> ReadCtaStateAsync(Session session, Guid ctaId, CancellationToken cancellationToken) =>
        await session.ReadFirstAsync(CtaState, [ctaId], static (d, r) => new CtaStateRow(
            DbEnum<CtaKind>.Parse(r.GetString(0)),
            r.IsDBNull(1) ? null : r.GetString(1),
            r.IsDBNull(2) ? null : d.ReadTime(r, 2),
            d.ReadBool(r, 3),
            r.IsDBNull(4) ? null : d.ReadBool(r, 4),
            r.IsDBNull(5) ? null : d.ReadText(r, 5),
            r.IsDBNull(6) ? null : d.ReadText(r, 6),
            r.IsDBNull(7) ? null : d.ReadText(r, 7)), cancellationToken).ConfigureAwait(false)
        ?? throw new RecordNotFoundException("cta_events", ctaId.ToString());

    internal static JsonElement? CheckCtaRequest(NewCtaEvent data)
    {
        void Absent(object? value, string field)
        {
            if (value is not null)
            {
                throw new ArgumentException($"{field} does not belong to a {DbEnum<CtaKind>.ToDb(data.Kind)} CTA.", field);
            }
        }
        switch (data.Kind)
        {
            case CtaKind.Approval:
                Check.Required(data.RequestMessage, "data.RequestMessage");
                Absent(data.RequestPrompt, "data.RequestPrompt");
                Absent(data.RequestPlaceholder, "data.RequestPlaceholder");
                Absent(data.RequestOptions, "data.RequestOptions");
                return null;
            case CtaKind.Text:
                Check.Required(data.RequestPrompt, "data.RequestPrompt");
                Absent(data.RequestMessage, "data.RequestMessage");
                Absent(data.RequestOptions, "data.RequestOptions");
                return null;
            default:
                Check.Required(data.RequestPrompt, "data.RequestPrompt");
                Absent(data.RequestMessage, "data.RequestMessage");
                Absent(data.RequestPlaceholder, "data.RequestPlaceholder");
                if (data.RequestOptions is not { Count: > 0 } options)
                {
                    throw new ArgumentException("data.RequestOptions needs at least one option for a choice CTA.", "data.RequestOptions");
                }
                var ids = new HashSet<string>(StringComparer.Ordinal);
                // Written as text: a serializer would replace a lone surrogate in a label with U+FFFD.
                var array = new System.Text.StringBuilder("[");
                for (var i = 0; i < options.Count; i++)
                {
                    var field = $"data.RequestOptions[{i}]";
                    var option = options[i] ?? throw new ArgumentException($"{field} is null.", field);
                    Check.Required(option.Id, field + ".Id");
                    Check.Required(option.Label, field + ".Label");
                    if (!ids.Add(option.Id))
                    {
                        throw new ArgumentException($"{field}.Id '{option.Id}' is used twice.", field + ".Id");
                    }
                    array.Append(i == 0 ? "{\"id\":" : ",{\"id\":").Append(DbJson.Quote(option.Id)).Append(",\"label\":").Append(DbJson.Quote(option.Label)).Append('}');
                }
                using (var document = JsonDocument.Parse(array.Append(']').ToString()))
                {
                    return document.RootElement.Clone();
                }
        }
    }

    private static void CheckCtaResponse(CtaKind kind, JsonElement? options, CtaResponse response)
    {
        void Absent(object? value, string field)
        {
            if (value is not null)
            {
                throw new ArgumentException($"{field} does not answer a {DbEnum<CtaKind>.ToDb(kind)} CTA.", field);
            }
        }
        switch (kind)
        {
            case CtaKind.Approval:
                if (response.Approved is null)
                {
                    throw new ArgumentException("responseData.Approved is required to answer an approval CTA.", "responseData.Approved");
                }
                Absent(response.Text, "responseData.Text");
                Absent(response.SelectedId, "responseData.SelectedId");
                break;
            case CtaKind.Text:
                if (response.Text is null)
                {
                    throw new ArgumentException("responseData.Text is required to answer a text CTA.", "responseData.Text");
                }
                Absent(response.Approved, "responseData.Approved");
                Absent(response.Reason, "responseData.Reason");
                Absent(response.SelectedId, "responseData.SelectedId");
                break;
            default:
                var selected = response.SelectedId
                    ?? throw new ArgumentException("responseData.SelectedId is required to answer a choice CTA.", "responseData.SelectedId");
                Absent(response.Approved, "responseData.Approved");
                Absent(response.Reason, "responseData.Reason");
                Absent(response.Text, "responseData.Text");
                var known = options is { ValueKind: JsonValueKind.Array } array
                    ? array.EnumerateArray().Select(o => DbJson.StringOf(o.GetProperty("id"))).ToList()
                    : [];
                if (!known.Contains(selected))
                {
                    throw new ArgumentException(
                        $"responseData.SelectedId '{selected}' is not one of the CTA's options ({string.Join(", ", known)}).", "responseData.SelectedId");
                }
                break;
        }
    }
}
