using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence.Internal.Reading;

/// <summary>
/// The columns a read selects from one table, taken from its <see cref="TableDefinition"/> (so a
/// column is spelled once, where the table is defined), less the large ones a read may leave out.
/// A mapper asks for each column's ordinal by name: a name the table does not have fails when the
/// mapper is built; a column left out has ordinal -1, which the <c>…OrNull</c> readers of
/// <see cref="Row"/> read as null.
/// </summary>
internal sealed class Projection
{
    private readonly Dictionary<string, int> _ordinals;
    private readonly HashSet<string> _table;

    public Projection(TableDefinition table, IEnumerable<string>? omitted = null)
    {
        Table = table.Name;
        var all = table.Columns.Select(c => c.Name).Distinct().ToArray();
        _table = [.. all];
        var left = new HashSet<string>(omitted ?? []);
        foreach (var name in left.Where(n => !_table.Contains(n)))
        {
            throw new InvalidOperationException($"{table.Name} has no column {name} to leave out.");
        }
        Names = [.. all.Where(n => !left.Contains(n))];
        _ordinals = Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
    }

    public string Table { get; }

    public string[] Names { get; }

    /// <summary>The select list, each column qualified by <paramref name="alias"/>: <c>t.id, t.run_id, …</c>.</summary>
    public string List(string alias) => string.Join(", ", Names.Select(n => alias + "." + n));

    /// <summary>The column's ordinal in <see cref="Names"/>; -1 when this projection leaves it out.</summary>
    public int this[string name] => _ordinals.TryGetValue(name, out var i) ? i
        : _table.Contains(name) ? -1
        : throw new InvalidOperationException($"{Table} has no column {name}.");

    /// <summary>The ordinal of a column every projection of the table selects (NOT NULL or small).</summary>
    public int Required(string name) => this[name] is var i and >= 0 ? i
        : throw new InvalidOperationException($"{Table}.{name} is left out but read as present.");
}
