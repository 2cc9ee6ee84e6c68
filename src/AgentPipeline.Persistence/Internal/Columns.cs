namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// An ordered list of columns that a statement writes or compares; the same order is used for the
/// value arrays, so one list gives the INSERT's column list, its parameter list and the SELECT that
/// reads a stored row back for the idempotency comparison.
/// </summary>
internal sealed class Columns
{
    public Columns(params Param[] items) => Items = items;

    public Param[] Items { get; }

    public int Count => Items.Length;

    /// <summary><c>a, b, c</c></summary>
    public string Names => string.Join(", ", Items.Select(p => p.Name));

    /// <summary><c>@a, @b, @c</c></summary>
    public string Params => string.Join(", ", Items.Select(p => "@" + p.Name));

    /// <summary><c>a = @a, b = @b</c></summary>
    public string Assignments => string.Join(", ", Items.Select(p => p.Name + " = @" + p.Name));

    /// <summary><c>u.a, u.b, u.c</c>: the columns of an <see cref="Unnest"/>.</summary>
    public string FromUnnest => string.Join(", ", Items.Select(p => "u." + p.Name));

    /// <summary>
    /// <c>unnest(@a, @b) AS u(a, b)</c>: a row set, one row per element of the array parameters
    /// named after <paramref name="parameters"/> (PostgreSQL).
    /// </summary>
    public static string Unnest(Param[] parameters) =>
        $"unnest({string.Join(", ", parameters.Select(p => "@" + p.Name))}) AS u({string.Join(", ", parameters.Select(p => p.Name))})";

    public Columns Concat(params Param[] more) => new([.. Items, .. more]);

    public int IndexOf(string name) => Array.FindIndex(Items, p => p.Name == name);
}
