using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence;

/// <summary>
/// The 20 functions every orchestrator calls (api.md), one file per capability. Every write is
/// all-or-nothing and safe to repeat: creates are idempotent by id (rule 2), state changes are
/// one-way (rule 4), CTA resolution is atomic (rule 5). Arguments are checked before any I/O and
/// faults surface as <see cref="ArgumentException"/>s or <see cref="PipelinePersistenceException"/>s.
/// </summary>
public static partial class PipelinePersistence
{
    private static Param P(string name, Col type) => new(name, type);

    private static Sql ExistsSql(string table, Col idType) =>
        new($"SELECT 1 FROM {{s}}.{table} WHERE id = @id", [P("id", idType)], [P("one", Col.Int)]);

    private static readonly Sql RunExists = ExistsSql("feature_runs", Col.Guid);
    private static readonly Sql PhaseResultExists = ExistsSql("phase_results", Col.Guid);
    private static readonly Sql InvocationExists = ExistsSql("agent_invocations", Col.Guid);
    private static readonly Sql StepExists = ExistsSql("agent_steps", Col.Guid);
    private static readonly Sql SandboxExists = ExistsSql("sandboxes", Col.Text);

    private static async Task RequireAsync(Session session, Sql exists, string table, object id, CancellationToken cancellationToken)
    {
        if (await session.QueryRowAsync(exists, [id], cancellationToken).ConfigureAwait(false) is null)
        {
            throw new RecordNotFoundException(table, Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture)!);
        }
    }

    /// <summary>A parent's diagnosis found nothing wrong, yet the insert wrote nothing: a bug, not a user error.</summary>
    private static InvalidOperationException Unexplained(string table) => Internal.Writing.WriteExecutor.Unexplained(table);

    private static object?[] Append(object?[] values, params object?[] more) => [.. values, .. more];
}
