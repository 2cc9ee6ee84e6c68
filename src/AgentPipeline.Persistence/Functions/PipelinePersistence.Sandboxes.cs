using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;
using AgentPipeline.Persistence.Internal.Writing;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    private static readonly Columns SandboxColumns = Sandboxes.Create.Columns;

    // The lifecycle stamps, in the order UpdateSandboxStatus fills them.
    private static readonly Param[] SandboxStamps = [.. Sandboxes.Stamps.Select(c => c.Param)];

    private static readonly CreateSpec SandboxCreate = new(Sandboxes.Name, SandboxColumns, new Sql(
        $"INSERT INTO {{s}}.sandboxes ({SandboxColumns.Names}, created_at, {string.Join(", ", SandboxStamps.Select(p => p.Name))}) " +
        $"VALUES ({SandboxColumns.Params}, @created_at, {string.Join(", ", SandboxStamps.Select(p => "@" + p.Name))}) ON CONFLICT (id) DO NOTHING",
        [.. SandboxColumns.Items, P("created_at", Col.Time), .. SandboxStamps]),
        laterStates: new Dictionary<string, Func<object?, object?, bool>> { ["status"] = SandboxStatusReachable });

    /// <summary>
    /// A replayed create finds the sandbox where <see cref="UpdateSandboxStatusAsync"/> may have
    /// moved it since: the stored status matches the caller's if that move was possible (the same
    /// status; or from a status that is not final to any but pending). A final status the caller
    /// sent must still be there.
    /// </summary>
    private static bool SandboxStatusReachable(object? requested, object? stored) =>
        Equals(requested, stored) || (requested is string from && stored is string now
            && DbEnum<SandboxStatus>.Parse(from) is not (SandboxStatus.Stopped or SandboxStatus.Failed or SandboxStatus.Aborted)
            && DbEnum<SandboxStatus>.Parse(now) != SandboxStatus.Pending);

    private static readonly Sql SandboxState = Statement.Select(Sandboxes.Name, [Sandboxes.Status, Sandboxes.StartedAt], Sandboxes.Id, "{forupdate}");

    private static readonly Sql SetSandboxStatus = Statement.Update(Sandboxes.Name)
        .Set(Sandboxes.Status).SetOnce(Sandboxes.Stamps).SetOnce(Sandboxes.Duration).Where(Sandboxes.Id).ToSql();

    private static readonly Columns SnapshotColumns = SandboxSnapshots.Create.Columns;

    // The sandbox's run_id is copied under a share lock (PostgreSQL): a run claiming the sandbox at
    // that moment either commits first (and this reads its id) or waits for this snapshot, and then
    // fills its run_id with the claim (see CreateFeatureRunAsync).
    private static readonly CreateSpec SnapshotCreate = new(SandboxSnapshots.Name, SnapshotColumns, new Sql(
        $"INSERT INTO {{s}}.sandbox_snapshots (run_id, created_at, {SnapshotColumns.Names}) " +
        $"SELECT sb.run_id, @created_at, {SnapshotColumns.Params} FROM (SELECT run_id FROM {{s}}.sandboxes WHERE id = @sandbox_id{{forshare}}) sb " +
        "WHERE true ON CONFLICT (id) DO NOTHING", // WHERE: SQLite's parser needs one before an upsert's ON
        [.. SnapshotColumns.Items, P("created_at", Col.Time)]));

    /// <summary>
    /// Records a sandbox (its id is the provider's) before any run uses it. The lifecycle stamp of
    /// its initial status is filled too (running → <c>started_at</c>, …).
    /// </summary>
    /// <exception cref="ArgumentException">A field is missing or malformed; nothing was written.</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task CreateSandboxRecordAsync(PipelineDb db, NewSandboxRecord data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var values = Sandboxes.Create.Values(data, db.Redactor);
        var now = db.Now();
        var stamps = StampsFor(data.Status, now);
        // No parent: an insert that wrote nothing is a replay, or a bug.
        await db.Writes.InsertKeyedAsync(SandboxCreate, values, [.. values, now, .. stamps], MissingParent.None, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a sandbox to <paramref name="status"/> and stamps the matching lifecycle column once
    /// (running → <c>started_at</c>, stopping → <c>requested_stop_at</c>, stopped → <c>stopped_at</c>
    /// and <c>duration</c>, aborted → <c>aborted_at</c>, snapshotting → <c>snapshotted_at</c>).
    /// stopped, failed and aborted are final; repeating the same status is a no-op that keeps the
    /// first timestamps. A sandbox never goes back to pending.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sandboxId"/> is missing, only whitespace or longer than an id may be, or <paramref name="status"/> unknown.</exception>
    /// <exception cref="RecordNotFoundException">The sandbox does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The sandbox is in a final status, or the move is back to pending.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task UpdateSandboxStatusAsync(PipelineDb db, string sandboxId, SandboxStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Key(sandboxId, nameof(sandboxId));
        var requested = Check.Enum(status, nameof(status));
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            await session.BeginAsync(ct).ConfigureAwait(false);
            var state = await session.QueryRowAsync(SandboxState, [sandboxId], ct).ConfigureAwait(false)
                ?? throw new RecordNotFoundException("sandboxes", sandboxId);
            var current = DbEnum<SandboxStatus>.Parse((string)state[0]!);
            if (current == status)
            {
                return; // the same transition again: keep the first timestamps
            }
            if (current is SandboxStatus.Stopped or SandboxStatus.Failed or SandboxStatus.Aborted || status == SandboxStatus.Pending)
            {
                throw new InvalidStateTransitionException("sandboxes", sandboxId, DbEnum<SandboxStatus>.ToDb(current), requested);
            }
            var now = db.Now();
            int? duration = status == SandboxStatus.Stopped && state[1] is DateTimeOffset started
                ? (int)Math.Min(int.MaxValue, Math.Max(0, (now - started).TotalMilliseconds))
                : null;
            await session.ExecuteAsync(SetSandboxStatus, [requested, .. StampsFor(status, now), duration, sandboxId], ct).ConfigureAwait(false);
            await session.CommitAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static object?[] StampsFor(SandboxStatus status, DateTimeOffset now)
    {
        var stamps = new object?[SandboxStamps.Length];
        var index = status switch
        {
            SandboxStatus.Running => 0,
            SandboxStatus.Stopping => 1,
            SandboxStatus.Stopped => 2,
            SandboxStatus.Aborted => 3,
            SandboxStatus.Snapshotting => 4,
            _ => -1,
        };
        if (index >= 0)
        {
            stamps[index] = now;
        }
        return stamps;
    }

    /// <summary>Records a snapshot of a sandbox (its id is the provider's); <c>run_id</c> is copied from the sandbox.</summary>
    /// <exception cref="ArgumentException">A field is missing or malformed; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The sandbox does not exist.</exception>
    /// <exception cref="IdempotencyConflictException">The id is stored with different data.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task CreateSnapshotRecordAsync(PipelineDb db, NewSnapshotRecord data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        var values = SandboxSnapshots.Create.Values(data, db.Redactor, stamped: 1);
        values[^1] = db.Now();
        await db.Writes.InsertKeyedAsync(SnapshotCreate, values, values, new(data, static (session, data, ct) =>
            RequireAsync(session, SandboxExists, "sandboxes", ((NewSnapshotRecord)data).SandboxId, ct)), cancellationToken).ConfigureAwait(false);
    }
}
