using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Columns PhaseResultColumns = PhaseResults.Create.Columns;

    private static readonly CreateSpec PhaseResultCreate = new(PhaseResults.Name, PhaseResultColumns, new Sql(
        $"INSERT INTO {{s}}.phase_results ({PhaseResultColumns.Names}, status, started_at) " +
        $"SELECT {PhaseResultColumns.Params}, 'running', @started_at FROM {{s}}.feature_runs r " +
        // The run's row is share-locked on PostgreSQL: a run ending at that moment waits for this insert or makes it write nothing.
        $"WHERE r.id = @run_id AND {RunOpen}{{forshare}} ON CONFLICT (id) DO NOTHING",
        [.. PhaseResultColumns.Items, P("started_at", Col.Time)]));

    private static readonly Sql EndPhaseResult = Statement.Update(PhaseResults.Name)
        .Set(PhaseResults.Status, PhaseResults.Output, PhaseResults.CompletedAt)
        .Where(PhaseResults.Id).And(Statement.Is(PhaseResults.Status, PhaseStatus.Running)).ToSql();

    private static readonly Sql PhaseResultState = Statement.Select(PhaseResults.Name, [PhaseResults.Status, PhaseResults.Output], PhaseResults.Id);

    /// <summary>Starts a phase of a run: a phase result in status running, <c>started_at</c> stamped.</summary>
    /// <returns>The phase result's id: <see cref="NewPhaseResult.Id"/>, or a new UUIDv7.</returns>
    /// <exception cref="ArgumentException">A field is missing, or the phase is not a working phase; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The run is already completed or failed.</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<Guid> CreatePhaseResultAsync(PipelineDb db, NewPhaseResult data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Phase is FeaturePhase.Completed or FeaturePhase.Failed)
        {
            throw new ArgumentException("data.Phase must be one of the five working phases.", "data.Phase");
        }
        var values = PhaseResults.Create.Values(data, db.Redactor, stamped: 1);
        values[0] ??= db.NewId();
        values[^1] = db.Now();
        return await db.Writes.InsertAsync(PhaseResultCreate, values, values, data.Id is not null, new(data, static (session, data, ct) =>
            RequireOpenRunAsync(session, ((NewPhaseResult)data).RunId, "phase_results", ct)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a running phase as passed, with its output, and stamps <c>completed_at</c>. Repeating it with the same output is a no-op.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is an undefined JsonElement.</exception>
    /// <exception cref="RecordNotFoundException">The phase result does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">It already failed, or passed with a different output.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task PassPhaseResultAsync(PipelineDb db, Guid phaseResultId, JsonElement? output, CancellationToken cancellationToken = default) =>
        EndPhaseResultAsync(db, phaseResultId, PhaseStatus.Passed, Check.Json(output, nameof(output)), cancellationToken);

    /// <summary>Ends a running phase as failed and stamps <c>completed_at</c>. Repeating it is a no-op.</summary>
    /// <exception cref="RecordNotFoundException">The phase result does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">It already passed.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task FailPhaseResultAsync(PipelineDb db, Guid phaseResultId, CancellationToken cancellationToken = default) =>
        EndPhaseResultAsync(db, phaseResultId, PhaseStatus.Failed, null, cancellationToken);

    private static async Task EndPhaseResultAsync(PipelineDb db, Guid phaseResultId, PhaseStatus final, JsonElement? output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(phaseResultId, nameof(phaseResultId));
        var status = DbEnum<PhaseStatus>.ToDb(final);
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            if (await session.ExecuteAsync(EndPhaseResult, [status, output, db.Now(), phaseResultId], ct).ConfigureAwait(false) == 1)
            {
                return;
            }
            var state = await session.QueryRowAsync(PhaseResultState, [phaseResultId], ct).ConfigureAwait(false)
                ?? throw new RecordNotFoundException("phase_results", phaseResultId.ToString());
            var current = (string)state[0]!;
            if (current != status || !DbJson.SemanticallyEqual((JsonElement?)state[1], output))
            {
                throw new InvalidStateTransitionException("phase_results", phaseResultId.ToString(), current,
                    current == status ? status + " (with a different output)" : status);
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
