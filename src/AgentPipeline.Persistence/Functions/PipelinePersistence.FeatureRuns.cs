using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Sql ClaimSandbox = Statement.Update(Sandboxes.Name).Set(Sandboxes.RunId)
        .Where(Sandboxes.Id).And(Statement.IsNullOrParameter(Sandboxes.RunId)).ToSql();

    // Snapshots recorded before the run claimed their sandbox get its run_id with the claim.
    private static readonly Sql ClaimSnapshots = Statement.Update(SandboxSnapshots.Name).Set(SandboxSnapshots.RunId)
        .Where(SandboxSnapshots.SandboxId).And(Statement.IsNull(SandboxSnapshots.RunId)).ToSql();

    private static readonly Sql SandboxRunId = Statement.Select(Sandboxes.Name, [Sandboxes.RunId], Sandboxes.Id);

    private static readonly Sql SetRunPhase = Statement.Update(FeatureRuns.Name).Set(FeatureRuns.CurrentPhase)
        .Where(FeatureRuns.Id).And(FeatureRuns.Open()).ToSql();

    private static readonly Sql EndRun = Statement.Update(FeatureRuns.Name).Set(FeatureRuns.CurrentPhase, FeatureRuns.CompletedAt)
        .Where(FeatureRuns.Id).And(FeatureRuns.Open()).ToSql();

    // Ending a run: its row locked first (PostgreSQL), so creates under it that are in flight have
    // committed, and those that come later wait and then find it ended (see PipelinePersistence.States.cs).
    private static readonly Sql LockRun = Statement.Select(FeatureRuns.Name, [FeatureRuns.CurrentPhase], FeatureRuns.Id, "{forupdate}");

    private static readonly Sql RunningPhaseResult = Statement.SelectFirst(PhaseResults.Name, [PhaseResults.Id, PhaseResults.Phase], PhaseResults.RunId,
        [Statement.Is(PhaseResults.Status, PhaseStatus.Running)], [PhaseResults.StartedAt, PhaseResults.Id]);

    private static readonly Sql OpenCta = Statement.SelectFirst(CtaEvents.Name, [CtaEvents.Id, CtaEvents.Kind], CtaEvents.RunId,
        [Statement.IsNull(CtaEvents.RespondedAt)], [CtaEvents.RequestedAt, CtaEvents.Id]);

    private static readonly Sql FailRunningPhaseResults = Statement.Update(PhaseResults.Name)
        .SetTo(PhaseResults.Status, Statement.Literal(PhaseStatus.Failed)).Set(PhaseResults.CompletedAt)
        .Where(PhaseResults.RunId).And(Statement.Is(PhaseResults.Status, PhaseStatus.Running)).ToSql();

    private static readonly Sql TimeOutOpenCtas = Statement.Update(CtaEvents.Name).SetTo(CtaEvents.TimedOut, "TRUE").Set(CtaEvents.RespondedAt)
        .Where(CtaEvents.RunId).And(Statement.IsNull(CtaEvents.RespondedAt)).ToSql("{notifycta}");

    private static readonly Sql RunPhase = Statement.Select(FeatureRuns.Name, [FeatureRuns.CurrentPhase], FeatureRuns.Id);

    /// <summary>
    /// Creates a feature run in phase <c>analysis</c> and, when it names a sandbox, fills that
    /// sandbox's <c>run_id</c> (and that of its snapshots recorded before) in the same transaction.
    /// </summary>
    /// <returns>The run's id: <see cref="NewFeatureRun.Id"/>, or a new UUIDv7.</returns>
    /// <exception cref="ArgumentException">A field is missing or malformed; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The sandbox does not exist.</exception>
    /// <exception cref="SandboxInUseException">The sandbox belongs to another run.</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed; see <see cref="PipelinePersistenceException.IsTransient"/>.</exception>
    public static async Task<Guid> CreateFeatureRunAsync(PipelineDb db, NewFeatureRun data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var values = FeatureRuns.Create.Values(data, db.Redactor);
        var id = (Guid)(values[0] ??= db.NewId());

        return await db.Writes.RunAsync<Guid>(write: true, async (session, ct) =>
        {
            if (data.SandboxId is { } sandboxId)
            {
                await session.BeginAsync(ct).ConfigureAwait(false);
                if (await session.ExecuteAsync(ClaimSandbox, [id, sandboxId], ct).ConfigureAwait(false) == 0)
                {
                    var owner = await session.QueryRowAsync(SandboxRunId, [sandboxId], ct).ConfigureAwait(false);
                    throw owner is null
                        ? new RecordNotFoundException("sandboxes", sandboxId)
                        : new SandboxInUseException(sandboxId, (Guid)owner[0]!);
                }
            }
            var stored = await Idempotent.InsertAsync(session, FeatureRuns.Insert, values, Append(values, db.Now()), data.Id is not null, ct).ConfigureAwait(false);
            if (data.SandboxId is { } claimed)
            {
                if (stored is not null)
                {
                    await session.ExecuteAsync(ClaimSnapshots, [stored, claimed], ct).ConfigureAwait(false);
                }
                await session.CommitAsync(ct).ConfigureAwait(false);
            }
            return (Guid)(stored ?? throw Unexplained("feature_runs"));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves a run to another working phase (analysis, approaches, judging, implementation, pr).</summary>
    /// <exception cref="ArgumentException"><paramref name="phase"/> is completed or failed (use <see cref="CompleteFeatureRunAsync"/> / <see cref="FailFeatureRunAsync"/>) or unknown.</exception>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The run is already completed or failed.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task UpdateFeatureRunPhaseAsync(PipelineDb db, Guid runId, FeaturePhase phase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(runId, nameof(runId));
        var stored = Check.Enum(phase, nameof(phase));
        if (phase is FeaturePhase.Completed or FeaturePhase.Failed)
        {
            throw new ArgumentException($"phase must be a working phase; use {nameof(CompleteFeatureRunAsync)} or {nameof(FailFeatureRunAsync)} to end a run.", nameof(phase));
        }
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            if (await session.ExecuteAsync(SetRunPhase, [stored, runId], ct).ConfigureAwait(false) == 1)
            {
                return;
            }
            var current = await session.QueryRowAsync(RunPhase, [runId], ct).ConfigureAwait(false)
                ?? throw new RecordNotFoundException("feature_runs", runId.ToString());
            throw new InvalidStateTransitionException("feature_runs", runId.ToString(), (string)current[0]!, stored);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a run as completed and stamps <c>completed_at</c>. Repeating it is a no-op. A run
    /// completes only when none of its phase results is running and none of its CTAs is open.
    /// </summary>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The run has failed, or one of its phase results is still running or one
    /// of its CTAs still open (the message names it); nothing was written.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task CompleteFeatureRunAsync(PipelineDb db, Guid runId, CancellationToken cancellationToken = default) =>
        EndRunAsync(db, runId, FeaturePhase.Completed, cancellationToken);

    /// <summary>
    /// Ends a run as failed and stamps <c>completed_at</c> (its end). In the same transaction its
    /// running phase results become failed and its open CTAs timed out (stamped with the same
    /// time), so nothing of a failed run is left looking alive. Its history is kept. Repeating it is a no-op.
    /// </summary>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The run has completed.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static Task FailFeatureRunAsync(PipelineDb db, Guid runId, CancellationToken cancellationToken = default) =>
        EndRunAsync(db, runId, FeaturePhase.Failed, cancellationToken);

    private static async Task EndRunAsync(PipelineDb db, Guid runId, FeaturePhase final, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(runId, nameof(runId));
        var stored = DbEnum<FeaturePhase>.ToDb(final);
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            await session.BeginAsync(ct).ConfigureAwait(false);
            var row = await session.QueryRowAsync(LockRun, [runId], ct).ConfigureAwait(false)
                ?? throw new RecordNotFoundException("feature_runs", runId.ToString());
            var current = (string)row[0]!;
            if (current is "completed" or "failed")
            {
                if (current != stored)
                {
                    throw new InvalidStateTransitionException("feature_runs", runId.ToString(), current, stored);
                }
                return; // a repeat: nothing to write
            }
            var now = db.Now();
            if (final == FeaturePhase.Completed)
            {
                await RequireNothingAliveAsync(session, runId, current, ct).ConfigureAwait(false);
            }
            if (await session.ExecuteAsync(EndRun, [stored, now, runId], ct).ConfigureAwait(false) != 1)
            {
                throw new InvalidOperationException($"feature_runs '{runId}' was locked in phase '{current}' yet could not be ended.");
            }
            if (final == FeaturePhase.Failed)
            {
                await session.ExecuteAsync(FailRunningPhaseResults, [now, runId], ct).ConfigureAwait(false);
                await session.ExecuteAsync(TimeOutOpenCtas, [now, runId], ct).ConfigureAwait(false);
            }
            await session.CommitAsync(ct).ConfigureAwait(false);
            if (final == FeaturePhase.Failed)
            {
                db.CtaWatch.WakeRun(runId);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A run may complete only when none of its phase results is running and none of its CTAs is open.</summary>
    private static async Task RequireNothingAliveAsync(Session session, Guid runId, string current, CancellationToken cancellationToken)
    {
        if (await session.QueryRowAsync(RunningPhaseResult, [runId], cancellationToken).ConfigureAwait(false) is { } phaseResult)
        {
            throw new InvalidStateTransitionException("feature_runs", runId.ToString(), current, "completed",
                $"feature_runs '{runId}' cannot complete: phase_results '{phaseResult[0]}' ({phaseResult[1]}) is still running. " +
                $"Pass or fail it first, or fail the run ({nameof(FailFeatureRunAsync)} fails it too).");
        }
        if (await session.QueryRowAsync(OpenCta, [runId], cancellationToken).ConfigureAwait(false) is { } cta)
        {
            throw new InvalidStateTransitionException("feature_runs", runId.ToString(), current, "completed",
                $"feature_runs '{runId}' cannot complete: cta_events '{cta[0]}' ({cta[1]}) is still open. " +
                $"Answer it or time it out first, or fail the run ({nameof(FailFeatureRunAsync)} times it out too).");
        }
    }
}
