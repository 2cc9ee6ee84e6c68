using System.Runtime.CompilerServices;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>
/// One column of a table as a public record <typeparamref name="T"/> writes it: its name, how it is
/// bound (<see cref="Col"/>), whether it may hold NULL, and its value taken from the record and
/// checked (a delegate built once). The factories name the check; the caller's field named in an
/// <see cref="ArgumentException"/> is taken from the getter's text (<c>d =&gt; d.Usage</c> gives
/// <c>data.Usage</c>), so the record's property is spelled once.
/// </summary>
internal sealed class Column<T>
{
    private Column(string name, Col type, bool nullable, Func<T, object?> value, Func<T, JsonElement?>? redactedJson = null,
        Func<T, JsonElement?>? uncheckedJson = null, string? field = null)
    {
        Name = name;
        Type = type;
        Nullable = nullable;
        Value = value;
        JsonToRedact = redactedJson;
        UncheckedJson = uncheckedJson;
        FieldName = field;
    }

    public string Name { get; }

    public Col Type { get; }

    public bool Nullable { get; }

    /// <summary>The checked value to bind (an enum as its data-model string), before any redaction.</summary>
    public Func<T, object?> Value { get; }

    /// <summary>A JSON column that may carry credentials: replaced by markers before it is written.</summary>
    public bool Redacted => JsonToRedact is not null;

    /// <summary>Of a redacted column: its checked value, not boxed (redaction boxes its result once).</summary>
    public Func<T, JsonElement?>? JsonToRedact { get; }

    /// <summary>Of a redacted column: the caller's value before any check, for a preparer that checks it itself (<see cref="ColumnSet{T}.Values"/>).</summary>
    public Func<T, JsonElement?>? UncheckedJson { get; }

    /// <summary>Of a redacted column: the caller's field as an <see cref="ArgumentException"/> names it (<c>data.RequestBody</c>).</summary>
    public string? FieldName { get; }

    public Param Param => new(Name, Type);

    public ColumnShape Shape => new(Name, Type, Nullable);

    /// <summary>A create's column where a statement wants a column of the table (<see cref="Statement"/>).</summary>
    public static implicit operator ColumnShape(Column<T> column) => column.Shape;

    /// <summary>The record's optional id (a new one is made when it has none): <c>Check.OptionalId</c>, NOT NULL.</summary>
    public static Column<T> NewId(string name, Func<T, Guid?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Guid, false, get, getter, static (v, f) => Check.OptionalId(v, f));

    /// <summary>A required id (a parent's): <c>Check.Id</c>, NOT NULL.</summary>
    public static Column<T> Id(string name, Func<T, Guid> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Guid, false, get, getter, static (v, f) => Check.Id(v, f));

    public static Column<T> OptionalId(string name, Func<T, Guid?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Guid, true, get, getter, static (v, f) => Check.OptionalId(v, f));

    /// <summary>Free text, stored as given.</summary>
    public static Column<T> Text(string name, Func<T, string?> get) => new(name, Col.Text, true, d => get(d));

    /// <summary>Text that must be present and not blank: <c>Check.Required</c>, NOT NULL.</summary>
    public static Column<T> Required(string name, Func<T, string?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Text, false, get, getter, static (v, f) => Check.Required(v, f));

    /// <summary>A required key of bounded length: <c>Check.Key</c>, NOT NULL.</summary>
    public static Column<T> Key(string name, Func<T, string?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Text, false, get, getter, static (v, f) => Check.Key(v, f));

    /// <summary>Null, or a key as <see cref="Key"/> checks it (present, not blank, bounded).</summary>
    public static Column<T> KeyOrNull(string name, Func<T, string?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Text, true, get, getter, static (v, f) => v is { } key ? Check.Key(key, f) : null);

    /// <summary>An optional key, bounded in length when given: <c>Check.OptionalKey</c>.</summary>
    public static Column<T> OptionalKey(string name, Func<T, string?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Text, true, get, getter, static (v, f) => Check.OptionalKey(v, f));

    /// <summary>A required enum, stored as its data-model string.</summary>
    public static Column<T> Enum<TEnum>(string name, Func<T, TEnum> get, [CallerArgumentExpression(nameof(get))] string getter = "")
        where TEnum : struct, System.Enum
    {
        var field = Field(getter);
        return new(name, Col.Text, false, d => Check.Enum(get(d), field));
    }

    /// <summary>An optional enum, stored as its data-model string.</summary>
    public static Column<T> Enum<TEnum>(string name, Func<T, TEnum?> get, [CallerArgumentExpression(nameof(get))] string getter = "")
        where TEnum : struct, System.Enum
    {
        var field = Field(getter);
        return new(name, Col.Text, true, d => Check.Enum(get(d), field));
    }

    /// <summary>A required count, zero or more.</summary>
    public static Column<T> Count(string name, Func<T, int> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Int, false, get, getter, static (v, f) => Check.NonNegative(v, f));

    /// <summary>An optional count, zero or more.</summary>
    public static Column<T> Count(string name, Func<T, int?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Int, true, get, getter, static (v, f) => Check.NonNegative(v, f));

    /// <summary>An optional 64-bit count, zero or more.</summary>
    public static Column<T> Count64(string name, Func<T, long?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Long, true, get, getter, static (v, f) => Check.NonNegative(v, f));

    public static Column<T> Bool(string name, Func<T, bool> get) => new(name, Col.Bool, false, d => get(d));

    /// <summary>An optional instant: UTC, not <c>default</c>.</summary>
    public static Column<T> Time(string name, Func<T, DateTimeOffset?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Time, true, get, getter, static (v, f) => Check.Utc(v, f));

    /// <summary>An optional JSON value (<c>Check.Json</c>: not undefined).</summary>
    public static Column<T> Json(string name, Func<T, JsonElement?> get, [CallerArgumentExpression(nameof(get))] string getter = "") =>
        Checked(name, Col.Json, true, get, getter, static (v, f) => Check.Json(v, f));

    /// <summary>An optional JSON value whose credentials are redacted before it is written (see <see cref="PipelineDbOptions.SecretRedaction"/>).</summary>
    public static Column<T> RedactedJson(string name, Func<T, JsonElement?> get, [CallerArgumentExpression(nameof(get))] string getter = "")
    {
        var field = Field(getter);
        JsonElement? Value(T d) => Check.Json(get(d), field);
        return new(name, Col.Json, true, d => Value(d), Value, get, field);
    }

    /// <summary>An optional JSON value built and checked from several fields of the record by <paramref name="value"/> (a CTA's options).</summary>
    public static Column<T> JsonFrom(string name, Func<T, JsonElement?> value) => new(name, Col.Json, true, d => value(d));

    /// <summary>A nullable column whose value is read from a part of the record (the token columns, from <see cref="TokenUsage"/>).</summary>
    public static Column<T> Part(string name, Col type, Func<T, object?> value) => new(name, type, true, value);

    /// <summary>A column whose value is <paramref name="check"/>(the getter's value, the field's name).</summary>
    private static Column<T> Checked<TValue>(string name, Col type, bool nullable, Func<T, TValue> get, string getter,
        Func<TValue, string, object?> check)
    {
        var field = Field(getter);
        return new(name, type, nullable, d => check(get(d), field));
    }

    /// <summary><c>d =&gt; d.Usage</c> → <c>data.Usage</c>: the argument's name as the functions call it.</summary>
    internal static string Field(string getter)
    {
        var arrow = getter.IndexOf("=>", StringComparison.Ordinal);
        var body = getter[(arrow + 2)..].Trim();
        var dot = body.IndexOf('.', StringComparison.Ordinal);
        return arrow < 0 || dot < 0
            ? throw new ArgumentException($"A column getter is a property access like 'd => d.Name', not '{getter}'.", nameof(getter))
            : "data" + body[dot..];
    }
}

/// <summary>A column's name, binding type and nullability: what <c>TableDefinitionTests</c> holds against EF Core's model.</summary>
internal readonly record struct ColumnShape(string Name, Col Type, bool Nullable)
{
    /// <summary>The column as a statement's parameter (or result) of the same name and type.</summary>
    public Param Param => new(Name, Type);
}
