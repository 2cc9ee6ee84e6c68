using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Argument rules of api.md rule 7, checked before any I/O. Every message names the field as the
/// caller wrote it (<c>data.Usage.InputTokens</c>).
/// </summary>
internal static class Check
{
    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{field} is required.", field) : value;

    public static Guid Id(Guid value, string field) =>
        value == Guid.Empty ? throw new ArgumentException($"{field} must not be the empty Guid.", field) : value;

    public static Guid? OptionalId(Guid? value, string field) => value is { } v ? Id(v, field) : null;

    public static string Enum<T>(T value, string field) where T : struct, System.Enum =>
        DbEnum<T>.IsDefined(value)
            ? DbEnum<T>.ToDb(value)
            : throw new ArgumentOutOfRangeException(field, value, $"{field} is not a known {DbEnum<T>.TypeName} value.");

    public static string? Enum<T>(T? value, string field) where T : struct, System.Enum =>
        value is { } v ? Enum(v, field) : null;

    public static int? NonNegative(int? value, string field) =>
        value < 0 ? throw new ArgumentOutOfRangeException(field, value, $"{field} must not be negative.") : value;

    public static long? NonNegative(long? value, string field) =>
        value < 0 ? throw new ArgumentOutOfRangeException(field, value, $"{field} must not be negative.") : value;

    /// <summary>
    /// A caller's instant, not <c>default</c>: any offset names an exact instant, so it is accepted
    /// and returned in UTC (offset zero), kept to the microsecond.
    /// </summary>
    public static DateTimeOffset? Utc(DateTimeOffset? value, string field)
    {
        if (value is not { } v)
        {
            return null;
        }
        if (v == default)
        {
            throw new ArgumentException($"{field} must be set (it is default(DateTimeOffset)).", field);
        }
        return DbTime.Truncate(v);
    }

    /// <summary>A caller's JSON value: defined, standard text, unique names (see <see cref="JsonStandard"/>).</summary>
    public static JsonElement? Json(JsonElement? value, string field) => value switch
    {
        null => null,
        { ValueKind: JsonValueKind.Undefined } => throw new ArgumentException(
            $"{field} is an undefined JsonElement (default(JsonElement)); pass null for SQL NULL or a parsed JSON value.", field),
        { } v => JsonStandard.Enforce(v, field),
    };
}
