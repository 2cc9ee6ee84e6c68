using System.Text.Json;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>
/// The columns one call writes from its public record <typeparamref name="T"/>, in the order of
/// its statement's parameters and of the values array: the column list, parameter list and
/// comparisons (<see cref="Columns"/>), the values (<see cref="Values"/>) and the redacted columns
/// all come from this one list, so no two lists can fall out of step.
/// </summary>
internal sealed class ColumnSet<T>
{
    private readonly Column<T>[] _items;
    private readonly RedactionContext?[] _redaction;

    public ColumnSet(string table, Column<T>[] items)
    {
        Table = table;
        _items = items;
        _redaction = [.. items.Select(c => c.Redacted ? new RedactionContext(table, c.Name) : (RedactionContext?)null)];
        Columns = new Columns([.. items.Select(c => c.Param)]);
        Redacted = [.. items.Where(c => c.Redacted).Select(c => c.Name)];
    }

    public string Table { get; }

    public IReadOnlyList<Column<T>> Items => _items;

    public Columns Columns { get; }

    /// <summary>The names of the columns whose credentials are redacted before they are written.</summary>
    public string[] Redacted { get; }

    public IEnumerable<ColumnShape> Shapes => _items.Select(c => c.Shape);

    /// <summary>
    /// The record's values in column order, each checked (an <see cref="ArgumentException"/> names
    /// the field) and, where the column says so, redacted by <paramref name="redactor"/> (null = off).
    /// <paramref name="stamped"/> slots are left empty at the end for the values the store adds
    /// (<c>created_at</c>), so that one array serves both the comparison and the insert.
    /// </summary>
    /// <remarks>
    /// <paramref name="prepare"/>, when given, may take over one large redacted column (its name): it
    /// checks, redacts and cuts the caller's value itself, reusing what it did for the previous value
    /// of the same parent (<see cref="Content.ContentStore.TryPrepare"/>), and returns a
    /// <see cref="Content.PreparedJson"/>, or null to leave the column to the ordinary path.
    /// </remarks>
    public object?[] Values(T record, ISecretRedactor? redactor, int stamped = 0, string? preparedColumn = null,
        Func<JsonElement, string, RedactionContext, ISecretRedactor?, object?>? prepare = null)
    {
        var items = _items;
        var values = new object?[items.Length + stamped];
        for (var i = 0; i < items.Length; i++)
        {
            if (prepare is not null && items[i].UncheckedJson is { } raw && items[i].Name == preparedColumn
                && raw(record) is { ValueKind: JsonValueKind.Object } large
                && prepare(large, items[i].FieldName!, _redaction[i]!.Value, redactor) is { } prepared)
            {
                values[i] = prepared;
                continue;
            }
            values[i] = redactor is not null && items[i].JsonToRedact is { } json
                ? SecretRedaction.Apply(redactor, json(record), _redaction[i]!.Value)
                : items[i].Value(record);
        }
        return values;
    }
}

/// <summary>
/// A whole table: the columns the store fills itself (copied from the parent row or stamped) and
/// the column sets of the calls that write it. Together they are every column of the table, which
/// <c>TableDefinitionTests</c> holds against EF Core's model.
/// </summary>
internal sealed record TableDefinition(string Name, ColumnShape[] Filled, params IEnumerable<ColumnShape>[] Written)
{
    /// <summary>Every column once (a column two calls write, such as a tool call's result, is listed by each).</summary>
    public IEnumerable<ColumnShape> Columns => Filled.Concat(Written.SelectMany(w => w));
}
