namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>
/// The state changes' statements (<c>UPDATE … SET … WHERE …</c>) and the reads of a row's state,
/// built from a table definition's columns: every column name and parameter in them is that of a
/// column object (<see cref="ColumnShape"/>, or a <see cref="Column{T}"/> of a create), so a
/// renamed column is renamed in every statement, and a column the definition no longer has does
/// not compile. Built once, in static fields; the text is what a hand-written statement would be.
/// </summary>
/// <example>
/// <code>
/// Statement.Update(PhaseResults.Name).Set(PhaseResults.Status, PhaseResults.Output, PhaseResults.CompletedAt)
///     .Where(PhaseResults.Id).And(Statement.Is(PhaseResults.Status, PhaseStatus.Running)).ToSql()
/// // UPDATE {s}.phase_results SET status = @status, output = @output, completed_at = @completed_at
/// //   WHERE id = @id AND status = 'running'
/// </code>
/// </example>
internal sealed class Statement
{
    private readonly string _table;
    private readonly List<string> _set = [];
    private readonly List<string> _where = [];
    private readonly List<Param> _parameters = [];

    private Statement(string table) => _table = table;

    /// <summary>An <c>UPDATE</c> of <paramref name="table"/> (a definition's <c>Name</c>).</summary>
    public static Statement Update(string table) => new(table);

    /// <summary><c>SELECT columns FROM {s}.table WHERE key = @key</c>, its results typed as the columns are.</summary>
    public static Sql Select(string table, ColumnShape[] columns, ColumnShape key, string suffix = "") =>
        new($"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {{s}}.{table} WHERE {key.Name} = @{key.Name}{suffix}",
            [key.Param], [.. columns.Select(c => c.Param)]);

    /// <summary>
    /// <c>SELECT columns FROM {s}.table WHERE key = @key AND … ORDER BY … LIMIT 1</c>: the first row
    /// in <paramref name="orderBy"/>'s order that meets every condition.
    /// </summary>
    public static Sql SelectFirst(string table, ColumnShape[] columns, ColumnShape key, Condition[] conditions, ColumnShape[] orderBy) =>
        new($"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {{s}}.{table} WHERE {key.Name} = @{key.Name}" +
            string.Concat(conditions.Select(c => " AND " + c.Text)) + $" ORDER BY {string.Join(", ", orderBy.Select(c => c.Name))} LIMIT 1",
            [key.Param], [.. columns.Select(c => c.Param)]);

    /// <summary>Each column set to its parameter: <c>a = @a</c>.</summary>
    public Statement Set(params ColumnShape[] columns)
    {
        foreach (var column in columns)
        {
            _set.Add($"{column.Name} = @{column.Name}");
            Bind(column);
        }
        return this;
    }

    /// <summary>The column set to a constant of ours (<see cref="Literal{TEnum}"/>, <c>TRUE</c>): never a caller's value.</summary>
    public Statement SetTo(ColumnShape column, string constant)
    {
        _set.Add($"{column.Name} = {constant}");
        return this;
    }

    /// <summary>Each column set to its parameter only where it is still NULL: <c>a = COALESCE(a, @a)</c> (a stamp kept once set).</summary>
    public Statement SetOnce(params ColumnShape[] columns)
    {
        foreach (var column in columns)
        {
            _set.Add($"{column.Name} = COALESCE({column.Name}, @{column.Name})");
            Bind(column);
        }
        return this;
    }

    /// <summary>The rows whose <paramref name="key"/> equals its parameter: <c>WHERE key = @key</c>.</summary>
    public Statement Where(ColumnShape key)
    {
        _where.Add($"{key.Name} = @{key.Name}");
        Bind(key);
        return this;
    }

    /// <summary>A further condition, made with <see cref="IsNull"/>, <see cref="Is{TEnum}"/> and the like.</summary>
    public Statement And(Condition condition)
    {
        _where.Add(condition.Text);
        if (condition.Binds is { } column)
        {
            Bind(column);
        }
        return this;
    }

    /// <summary>The statement; <paramref name="suffix"/> is a placeholder of <see cref="Sql"/> (<c>{notifycta}</c>).</summary>
    public Sql ToSql(string suffix = "") =>
        new($"UPDATE {{s}}.{_table} SET {string.Join(", ", _set)} WHERE {string.Join(" AND ", _where)}{suffix}", [.. _parameters]);

    private void Bind(ColumnShape column)
    {
        if (!_parameters.Exists(p => p.Name == column.Name))
        {
            _parameters.Add(column.Param);
        }
    }

    /// <summary><c>'running'</c>: an enum value as the SQL constant of its data-model string (<see cref="DbEnum{T}"/>).</summary>
    public static string Literal<TEnum>(TEnum value) where TEnum : struct, Enum => $"'{DbEnum<TEnum>.ToDb(value)}'";

    /// <summary><c>a IS NULL</c>, the column optionally qualified by a table alias.</summary>
    public static Condition IsNull(ColumnShape column, string? alias = null) => new($"{Qualified(column, alias)} IS NULL");

    /// <summary><c>a = 'value'</c>.</summary>
    public static Condition Is<TEnum>(ColumnShape column, TEnum value, string? alias = null) where TEnum : struct, Enum =>
        new($"{Qualified(column, alias)} = {Literal(value)}");

    /// <summary><c>a NOT IN ('x', 'y')</c>.</summary>
    public static Condition IsNone<TEnum>(ColumnShape column, string? alias, params TEnum[] values) where TEnum : struct, Enum =>
        new($"{Qualified(column, alias)} NOT IN ({string.Join(", ", values.Select(Literal))})");

    /// <summary><c>(a IS NULL OR a = @a)</c>: not yet set, or already set to this call's value.</summary>
    public static Condition IsNullOrParameter(ColumnShape column) =>
        new($"({column.Name} IS NULL OR {column.Name} = @{column.Name})", column);

    private static string Qualified(ColumnShape column, string? alias) => alias is null ? column.Name : $"{alias}.{column.Name}";

    /// <summary>A condition's text, and the column whose parameter it uses (if any).</summary>
    public readonly record struct Condition(string Text, ColumnShape? Binds = null);
}
