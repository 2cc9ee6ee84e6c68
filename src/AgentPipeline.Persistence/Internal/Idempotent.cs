using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// How a create stays safe to replay (api.md rules 2 and 3): the INSERT does nothing on a
/// conflict; then the stored row is found (by id, else by the table's natural key) and compared
/// with what the caller sent, column by column, JSON semantically.
/// </summary>
internal sealed class CreateSpec
{
    public CreateSpec(string table, Columns columns, Sql insert, string[]? naturalKey = null, int batchOrder = 0, string? insertManyTemplate = null,
        IReadOnlyDictionary<string, Func<object?, object?, bool>>? laterStates = null,
        Func<object?[], object?[], IReadOnlyCollection<string>>? laterColumns = null, bool groupCommitted = false,
        Content.SharedColumns? shared = null)
    {
        GroupCommitted = groupCommitted;
        Shared = shared;
        LaterColumns = laterColumns ?? (table == "tool_calls" ? ToolCallResult.RecordedLater(columns) : null);
        Table = table;
        LaterStates = laterStates?.ToDictionary(rule => columns.IndexOf(rule.Key), rule => rule.Value) ?? [];
        Columns = columns;
        Insert = insert;
        BatchOrder = batchOrder;
        if (insertManyTemplate is not null)
        {
            InsertMany = new Sql(insertManyTemplate, insert.Parameters, [new("id", Col.Guid)], arrays: true);
        }
        var idType = columns.Items[0].Type;
        SelectById = new Sql($"SELECT {columns.Names} FROM {{s}}.{table} WHERE id = @id", [new("id", idType)], columns.Items);
        if (naturalKey is not null)
        {
            NaturalKeyIndexes = [.. naturalKey.Select(columns.IndexOf)];
            var where = string.Join(" AND ", naturalKey.Select(k => $"{k} = @{k}"));
            SelectByNaturalKey = new Sql($"SELECT {columns.Names} FROM {{s}}.{table} WHERE {where}",
                [.. NaturalKeyIndexes.Select(i => columns.Items[i])], columns.Items);
        }
    }

    public string Table { get; }

    /// <summary>The columns stored in the shared form when large (docs/storage.md); null where the table has none.</summary>
    public Content.SharedColumns? Shared { get; }

    /// <summary>The caller's columns, <c>id</c> first; the values array follows this order.</summary>
    public Columns Columns { get; }

    /// <summary>Parameters: the caller's columns, then any the store adds (timestamps).</summary>
    public Sql Insert { get; }

    /// <summary>
    /// PostgreSQL: the same insert for many rows at once, its parameters arrays in the order of
    /// <see cref="Insert"/>'s, returning the ids it wrote. Null where the table has none.
    /// </summary>
    public Sql? InsertMany { get; }

    /// <summary>
    /// Whether this table's rows go through group commit (the hot creates: invocations, steps,
    /// tool calls, memory records); the others are always inserted alone.
    /// </summary>
    public bool GroupCommitted { get; }

    /// <summary>Where this table's rows go in a group-commit batch: parents' tables first.</summary>
    public int BatchOrder { get; }

    public Sql SelectById { get; }

    public Sql? SelectByNaturalKey { get; }

    public int[] NaturalKeyIndexes { get; } = [];

    /// <summary>
    /// Columns a later call may legitimately change (by index): for a replay, the stored value
    /// matches the caller's when the rule says it can have come from it (a sandbox's status, moved
    /// on by <c>UpdateSandboxStatus</c>). Every other column must be equal.
    /// </summary>
    public Dictionary<int, Func<object?, object?, bool>> LaterStates { get; }

    /// <summary>
    /// Given (the caller's values, the stored row), the names of columns a later call has filled
    /// and the replay therefore does not compare (a tool call's result, recorded by
    /// <c>CompleteToolCall</c> after a create that had none). Null where the table has none.
    /// </summary>
    public Func<object?[], object?[], IReadOnlyCollection<string>>? LaterColumns { get; }
}

internal static class Idempotent
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Sql> RunOf = new();

    /// <summary>
    /// Inserts, or proves the call a replay. Returns the stored id (the caller's, or the one found
    /// by natural key), or null when no row was written or found: a parent is missing.
    /// </summary>
    /// <exception cref="IdempotencyConflictException">A row with this id (or natural key) holds other data.</exception>
    public static async Task<object?> InsertAsync(Session session, CreateSpec spec, object?[] values, object?[] insertArgs,
        bool callerChoseId, CancellationToken cancellationToken)
    {
        return await session.ExecuteAsync(spec.Insert, insertArgs, cancellationToken).ConfigureAwait(false) == 1
            ? values[0]
            : await ResolveAsync(session, spec, values, callerChoseId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After an insert wrote nothing: the stored id when the call is a replay, null when no row
    /// holds its id or natural key (a parent is missing).
    /// </summary>
    /// <exception cref="IdempotencyConflictException">A row with this id (or natural key) holds other data.</exception>
    public static async Task<object?> ResolveAsync(Session session, CreateSpec spec, object?[] values, bool callerChoseId, CancellationToken cancellationToken)
    {
        var stored = await session.QueryRowAsync(spec.SelectById, [values[0]], cancellationToken).ConfigureAwait(false);
        if (stored is null && spec.SelectByNaturalKey is { } byKey)
        {
            var key = spec.NaturalKeyIndexes.Select(i => values[i]).ToArray();
            stored = await session.QueryRowAsync(byKey, key, cancellationToken).ConfigureAwait(false);
        }
        if (stored is null)
        {
            return null;
        }
        if (spec.Shared is { } shared)
        {
            await ResolveSharedAsync(session, spec.Table, stored[0]!, shared, stored, storedOffset: 0, cancellationToken).ConfigureAwait(false);
        }
        // Without a caller id the store made a fresh one; the natural key decides, not the id.
        var differing = Differences(spec.Columns, values, stored, firstColumn: callerChoseId ? 0 : 1);
        foreach (var (index, reachable) in spec.LaterStates)
        {
            if (reachable(values[index], stored[index]))
            {
                differing.Remove(spec.Columns.Items[index].Name);
            }
        }
        if (spec.LaterColumns?.Invoke(values, stored) is { Count: > 0 } later)
        {
            differing.RemoveAll(later.Contains);
        }
        if (differing.Count > 0)
        {
            throw new IdempotencyConflictException(spec.Table, Convert.ToString(stored[0], System.Globalization.CultureInfo.InvariantCulture)!, differing);
        }
        return stored[0];
    }

    /// <summary>
    /// The stored row's shared columns (from <paramref name="storedOffset"/> on) as the caller
    /// wrote them, so a replay compares values, not their stored form. The row's run is read only
    /// when a column is in the shared form.
    /// </summary>
    public static async Task ResolveSharedAsync(Session session, string table, object id, Content.SharedColumns shared, object?[] stored, int storedOffset,
        CancellationToken cancellationToken)
    {
        using var reads = new Content.SharedReads();
        foreach (var i in shared.Indexes)
        {
            switch (stored[i + storedOffset])
            {
                case JsonElement json:
                    reads.Need(json);
                    break;
                case string text:
                    reads.Need(text);
                    break;
            }
        }
        if (!reads.Any)
        {
            return;
        }
        var runOf = RunOf.GetOrAdd(table, static t => new Sql($"SELECT run_id FROM {{s}}.{t} WHERE id = @id", [new("id", Col.Guid)], [new("run_id", Col.Guid)]));
        var run = await session.QueryRowAsync(runOf, [id], cancellationToken).ConfigureAwait(false);
        await reads.LoadAsync(session, (Guid)run![0]!, wholeRun: false, cancellationToken).ConfigureAwait(false);
        foreach (var i in shared.Indexes)
        {
            stored[i + storedOffset] = reads.Value(stored[i + storedOffset]);
        }
    }

    public static List<string> Differences(Columns columns, object?[] expected, object?[] stored, int firstColumn = 0, int storedOffset = 0)
    {
        var differing = new List<string>();
        for (var i = firstColumn; i < columns.Count; i++)
        {
            if (!Same(columns.Items[i].Type, expected[i], stored[i + storedOffset]))
            {
                differing.Add(columns.Items[i].Name);
            }
        }
        return differing;
    }

    private static JsonElement? AsJson(object? value) => value is Content.PreparedJson prepared ? prepared.Element : (JsonElement?)value;

    public static bool Same(Col type, object? a, object? b) => type == Col.Json
        ? DbJson.SemanticallyEqual(AsJson(a), AsJson(b))
        : Equals(a, b);
}
