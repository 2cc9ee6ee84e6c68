using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Argument rules of api.md rule 7, checked before any I/O. Every message names the field as the
/// caller wrote it (<c>data.Usage.InputTokens</c>).
/// </summary>
internal static class Check
{
    /// <summary>Required text: null, empty and whitespace-only are all missing.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"{field} is required{(value is { Length: > 0 } ? " (it is only whitespace)" : "")}.", field)
            : value;

    /// <summary>The most characters a key (an id a caller supplies: sandbox, snapshot, SDK tool call id) may have.</summary>
    public const int MaxKeyChars = 1024;

    /// <summary>
    /// The most UTF-8 bytes a key may take as stored: well inside PostgreSQL's B-tree limit for one
    /// index entry (about 2,700 bytes), so the same key is accepted or refused on both providers.
    /// </summary>
    public const int MaxKeyBytes = 2048;

    /// <summary>A required key: present, not only whitespace, and within <see cref="MaxKeyChars"/> and <see cref="MaxKeyBytes"/>.</summary>
    public static string Key(string? value, string field) => Bounded(Required(value, field), field);

    /// <summary>An optional key (null allowed), within the same bounds as <see cref="Key"/>.</summary>
    public static string? OptionalKey(string? value, string field) => value is null ? null : Bounded(value, field);

    private static string Bounded(string value, string field)
    {
        if (value.Length > MaxKeyChars)
        {
            throw new ArgumentException(
                $"{field} is {value.Length:N0} characters, over the {MaxKeyChars:N0}-character limit for an id.", field);
        }
        // Up to 3 bytes a char, more where the stored form escapes (U+0000, lone surrogates): count when in doubt.
        if (value.Length * 3 > MaxKeyBytes && System.Text.Encoding.UTF8.GetByteCount(DbText.Encode(value)) is var bytes && bytes > MaxKeyBytes)
        {
            throw new ArgumentException(
                $"{field} is {bytes:N0} bytes as UTF-8, over the {MaxKeyBytes:N0}-byte limit for an id.", field);
        }
        return value;
    }

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
