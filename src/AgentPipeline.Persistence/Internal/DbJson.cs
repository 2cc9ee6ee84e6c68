using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// JSON as the store writes and reads it. Values are stored as the caller's own text, except that
/// strings holding U+0000, a lone surrogate or U+FFFF are rewritten with <see cref="DbText"/>'s
/// escapes (the same stored form as in text columns, on both providers), and unwritten on the way
/// back. Everything else (key order, whitespace, numbers) keeps its exact text; nesting depth is
/// not limited to System.Text.Json's default 64.
/// </summary>
internal static class DbJson
{
    /// <summary>
    /// The deepest nesting a caller's value may have: SQLite's <c>json_valid</c> (the JSON columns'
    /// CHECK) refuses deeper values, so the store refuses them on both providers alike, before any I/O.
    /// </summary>
    public const int MaxDepth = 1000;

    /// <summary>The deepest nesting read back: reading is more lenient than writing, so a deeper value already stored on PostgreSQL stays readable.</summary>
    internal const int ReadMaxDepth = 4096;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = ReadMaxDepth };

    public static string ToText(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return NeedsEncoding(raw) ? EncodeStrings(raw) : value.GetRawText();
    }

    public static JsonElement Parse(string text)
    {
        using var doc = JsonDocument.Parse(DecodeText(text), ParseOptions);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// The same from stored UTF-8 bytes (SQLite's column text): parsed straight from the bytes into
    /// one copy unless the text holds an escape to undo.
    /// </summary>
    public static JsonElement Parse(ReadOnlySpan<byte> utf8)
    {
        if (HasStoreEscapes(utf8))
        {
            return Parse(Encoding.UTF8.GetString(utf8));
        }
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = ReadMaxDepth });
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>
    /// The same from stored UTF-8 the caller keeps (a shared value put together in a pooled buffer):
    /// tokenized once, in place, and the element then copied out (its bytes and its token table, no
    /// second parse); <see cref="Parse(ReadOnlySpan{byte})"/> validates the value's extent first, then
    /// copies and parses it.
    /// </summary>
    public static JsonElement ParseCopy(ReadOnlyMemory<byte> utf8)
    {
        if (HasStoreEscapes(utf8.Span))
        {
            return Parse(Encoding.UTF8.GetString(utf8.Span));
        }
        using var document = JsonDocument.Parse(utf8, ParseOptions);
        return document.RootElement.Clone();
    }

    /// <summary>Whether stored text may hold one of the store's escapes to undo: U+FFFF, raw or as <c>\uffff</c> (any case).</summary>
    private static bool HasStoreEscapes(ReadOnlySpan<byte> utf8) => utf8.IndexOf("\uFFFF"u8) >= 0 || ContainsIgnoreCase(utf8, "\\uffff"u8);

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> utf8, ReadOnlySpan<byte> ascii)
    {
        for (var i = utf8.IndexOf(ascii[..2]); i >= 0 && i + ascii.Length <= utf8.Length; )
        {
            if (System.Text.Ascii.EqualsIgnoreCase(utf8.Slice(i, ascii.Length), ascii))
            {
                return true;
            }
            var next = utf8[(i + 1)..].IndexOf(ascii[..2]);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }

    /// <summary>The caller's JSON text back from its stored form (unchanged unless it was escaped).</summary>
    public static string DecodeText(string text) =>
        text.Contains(DbText.Escape, StringComparison.Ordinal) || text.Contains("\\uffff", StringComparison.OrdinalIgnoreCase)
            ? DecodeStrings(text)
            : text;

    /// <summary>
    /// The stored form of standard JSON text whose strings hold what <see cref="DbText"/> escapes:
    /// every byte is copied as written except, inside strings (names too), <c>\u0000</c> → U+FFFF '0',
    /// a lone surrogate's escape <c>\uD800</c> → U+FFFF 'u' and the escape's own four hex digits, and
    /// U+FFFF (raw or escaped) → itself twice, in its own spelling. The stored value is
    /// <see cref="DbText.Encode"/> of each string, and <see cref="DecodeStrings"/> gives back the
    /// exact text: whitespace, key order, numbers and every other escape are never touched.
    /// </summary>
    private static string EncodeStrings(ReadOnlySpan<byte> utf8)
    {
        var output = new ArrayBufferWriter<byte>(utf8.Length + 64);
        var copied = 0;
        var inString = false;
        for (var i = 0; i < utf8.Length;)
        {
            var b = utf8[i];
            if (!inString)
            {
                inString = b == (byte)'"';
                i++;
                continue;
            }
            if (b == (byte)'"')
            {
                inString = false;
                i++;
            }
            else if (b == 0xEF && i + 2 < utf8.Length && utf8[i + 1] == 0xBF && utf8[i + 2] == 0xBF)
            {
                Flush(utf8, ref copied, i + 3, output);
                output.Write(utf8.Slice(i, 3)); // U+FFFF, raw: twice
                i += 3;
            }
            else if (b != (byte)'\\')
            {
                i++;
            }
            else if (utf8[i + 1] != (byte)'u' || Hex(utf8, i + 2) is not { } code)
            {
                i += 2; // \" \\ \n …
            }
            else if (char.IsHighSurrogate((char)code) && Hex(utf8, i + 8) is { } low && utf8[i + 6] == (byte)'\\' &&
                     utf8[i + 7] == (byte)'u' && char.IsLowSurrogate((char)low))
            {
                i += 12; // a proper pair
            }
            else if (code == 0)
            {
                Flush(utf8, ref copied, i, output);
                output.Write("\uFFFF0"u8);
                copied = i += 6;
            }
            else if (code == DbText.Escape)
            {
                Flush(utf8, ref copied, i + 6, output);
                output.Write(utf8.Slice(i, 6)); // U+FFFF, escaped: twice, as spelled
                i += 6;
            }
            else if (char.IsSurrogate((char)code))
            {
                Flush(utf8, ref copied, i, output);
                output.Write("\uFFFFu"u8);
                output.Write(utf8.Slice(i + 2, 4));
                copied = i += 6;
            }
            else
            {
                i += 6;
            }
        }
        Flush(utf8, ref copied, utf8.Length, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void Flush(ReadOnlySpan<byte> utf8, ref int copied, int upTo, ArrayBufferWriter<byte> output)
    {
        output.Write(utf8[copied..upTo]);
        copied = upTo;
    }

    /// <summary>
    /// <see cref="EncodeStrings"/> undone on stored text (also on text an earlier version stored,
    /// whose strings were re-escaped minimally): inside strings, U+FFFF (raw or escaped) followed by
    /// '0' → <c>\u0000</c>; by 'u' and four hex digits → <c>\u</c> and those digits; by U+FFFF → the
    /// first in its own spelling. Everything else is copied as stored.
    /// </summary>
    private static string DecodeStrings(string text)
    {
        var sb = new StringBuilder(text.Length);
        var inString = false;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (!inString)
            {
                inString = c == '"';
                sb.Append(c);
                i++;
                continue;
            }
            if (c == '"')
            {
                inString = false;
                sb.Append(c);
                i++;
                continue;
            }
            var (value, length) = Unit(text, i);
            if (value != DbText.Escape || i + length >= text.Length)
            {
                sb.Append(text, i, length);
                i += length;
                continue;
            }
            var (next, nextLength) = Unit(text, i + length);
            if (next == '0')
            {
                sb.Append("\\u0000");
                i += length + nextLength;
            }
            else if (next == DbText.Escape)
            {
                sb.Append(text, i, length);
                i += length + nextLength;
            }
            else if (next == 'u' && nextLength == 1 && i + length + 5 <= text.Length &&
                     ushort.TryParse(text.AsSpan(i + length + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
            {
                sb.Append("\\u").Append(text, i + length + 1, 4);
                i += length + 5;
            }
            else
            {
                sb.Append(text, i, length); // not ours: keep as is
                i += length;
            }
        }
        return sb.ToString();
    }

    /// <summary>One character of a JSON string's text at <paramref name="i"/>: its value and how many chars spell it.</summary>
    private static (char Value, int Length) Unit(string text, int i)
    {
        if (text[i] != '\\' || i + 1 >= text.Length)
        {
            return (text[i], 1);
        }
        var kind = text[i + 1];
        if (kind == 'u' && i + 6 <= text.Length &&
            ushort.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            return ((char)code, 6);
        }
        return (kind switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => kind }, 2);
    }

    public static bool SemanticallyEqual(JsonElement? a, JsonElement? b) =>
        a is null || b is null ? a is null && b is null : Equal(a.Value, b.Value);

    /// <summary>
    /// Like <see cref="JsonElement.DeepEquals"/> (object key order ignored, numbers by value) but
    /// strings are compared as UTF-16 code units from their raw text, so a lone surrogate, which
    /// makes <c>GetString()</c> throw, compares like any other character.
    /// </summary>
    private static bool Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var left = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var p in a.EnumerateObject())
                {
                    left[RawString(JsonMarshal.GetRawUtf8PropertyName(p))] = p.Value;
                }
                var count = 0;
                foreach (var p in b.EnumerateObject())
                {
                    count++;
                    if (!left.TryGetValue(RawString(JsonMarshal.GetRawUtf8PropertyName(p)), out var value) || !Equal(value, p.Value))
                    {
                        return false;
                    }
                }
                return count == left.Count;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }
                using (var ea = a.EnumerateArray().GetEnumerator())
                using (var eb = b.EnumerateArray().GetEnumerator())
                {
                    while (ea.MoveNext() && eb.MoveNext())
                    {
                        if (!Equal(ea.Current, eb.Current))
                        {
                            return false;
                        }
                    }
                }
                return true;
            case JsonValueKind.String:
                var ra = JsonMarshal.GetRawUtf8Value(a);
                var rb = JsonMarshal.GetRawUtf8Value(b);
                return ra.SequenceEqual(rb) || RawString(ra[1..^1]) == RawString(rb[1..^1]);
            case JsonValueKind.Number:
                return JsonElement.DeepEquals(a, b);
            default:
                return true; // true, false, null
        }
    }

    private static string RawString(ReadOnlySpan<byte> raw) => Unescape(raw, raw.IndexOf((byte)'\\') >= 0);

    /// <summary>
    /// True when a string in <paramref name="utf8"/> holds U+0000 or a lone surrogate (both can only
    /// appear as <c>\u</c> escapes in valid JSON) or U+FFFF (escaped or as raw bytes EF BF BF).
    /// </summary>
    internal static bool NeedsEncoding(ReadOnlySpan<byte> utf8)
    {
        var i = utf8.IndexOfAny((byte)'\\', (byte)0xEF);
        while (i >= 0 && i < utf8.Length)
        {
            if (utf8[i] == 0xEF)
            {
                if (i + 2 < utf8.Length && utf8[i + 1] == 0xBF && utf8[i + 2] == 0xBF)
                {
                    return true;
                }
                i++;
            }
            else if (i + 1 < utf8.Length && utf8[i + 1] == (byte)'u' && Hex(utf8, i + 2) is { } code)
            {
                if (code is 0 or 0xFFFF || char.IsLowSurrogate((char)code))
                {
                    return true;
                }
                if (char.IsHighSurrogate((char)code))
                {
                    if (!(i + 11 < utf8.Length && utf8[i + 6] == (byte)'\\' && utf8[i + 7] == (byte)'u' &&
                          Hex(utf8, i + 8) is { } low && char.IsLowSurrogate((char)low)))
                    {
                        return true;
                    }
                    i += 12;
                }
                else
                {
                    i += 6;
                }
            }
            else
            {
                i += 2; // \" \\ \n …: skip the escaped character, so "\\u0000" is not mistaken for an escape
            }
            if (i >= utf8.Length)
            {
                break;
            }
            var next = utf8[i..].IndexOfAny((byte)'\\', (byte)0xEF);
            i = next < 0 ? -1 : i + next;
        }
        return false;
    }

    private static int? Hex(ReadOnlySpan<byte> utf8, int start) =>
        start + 4 <= utf8.Length && Utf8Parser.TryParse(utf8.Slice(start, 4), out ushort code, out var used, 'X') && used == 4 ? code : null;

    /// <summary>
    /// The same value as standard text: comments and trailing commas, which a lenient parse left in
    /// a <see cref="JsonElement"/>'s raw text, dropped; numbers as written, strings re-escaped
    /// minimally (lone surrogates kept as their escapes).
    /// </summary>
    internal static JsonElement Standardized(ReadOnlySpan<byte> utf8)
    {
        using var document = JsonDocument.Parse(Rewrite(utf8, s => s, Lenient), ParseOptions);
        return document.RootElement.Clone();
    }

    private static readonly JsonReaderOptions Lenient = new()
    {
        MaxDepth = ReadMaxDepth,
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Re-emits the JSON token by token, passing every string (names too) through <paramref name="map"/>.</summary>
    private static string Rewrite(ReadOnlySpan<byte> utf8, Func<string, string> map, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(utf8, options);
        var sb = new StringBuilder(utf8.Length + 64);
        var first = new Stack<bool>();
        var afterName = false;

        void Separate()
        {
            if (afterName)
            {
                afterName = false;
            }
            else if (first.Count > 0)
            {
                if (!first.Pop())
                {
                    sb.Append(',');
                }
                first.Push(false);
            }
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    Separate();
                    sb.Append(reader.TokenType == JsonTokenType.StartObject ? '{' : '[');
                    first.Push(true);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    first.Pop();
                    sb.Append(reader.TokenType == JsonTokenType.EndObject ? '}' : ']');
                    break;
                case JsonTokenType.PropertyName:
                    Separate();
                    AppendString(sb, map(Unescape(reader.ValueSpan, reader.ValueIsEscaped)));
                    sb.Append(':');
                    afterName = true;
                    break;
                case JsonTokenType.String:
                    Separate();
                    AppendString(sb, map(Unescape(reader.ValueSpan, reader.ValueIsEscaped)));
                    break;
                default: // numbers keep their exact text; true, false, null
                    Separate();
                    sb.Append(Encoding.UTF8.GetString(reader.ValueSpan));
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A string as a quoted JSON token: minimal escapes, a lone surrogate as its <c>\u</c> escape.</summary>
    internal static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendString(sb, value);
        return sb.ToString();
    }

    /// <summary>A string as a quoted JSON token (UTF-8): minimal escapes, a lone surrogate as its <c>\u</c> escape.</summary>
    internal static byte[] QuoteLenient(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendString(sb, value);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A JSON string's value from its raw text, so that a lone surrogate survives (<c>GetString</c> would throw).</summary>
    internal static string StringOf(JsonElement value) => Unescape(JsonMarshal.GetRawUtf8Value(value)[1..^1], escaped: true);

    /// <summary>JSON string escapes decoded char by char, so a lone surrogate survives (GetString would throw).</summary>
    internal static string Unescape(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!escaped)
        {
            return Encoding.UTF8.GetString(raw);
        }
        var sb = new StringBuilder(raw.Length);
        while (raw.Length > 0)
        {
            var slash = raw.IndexOf((byte)'\\');
            if (slash < 0)
            {
                sb.Append(Encoding.UTF8.GetString(raw));
                break;
            }
            sb.Append(Encoding.UTF8.GetString(raw[..slash]));
            var kind = (char)raw[slash + 1];
            if (kind == 'u')
            {
                sb.Append((char)Hex(raw, slash + 2)!.Value);
                raw = raw[(slash + 6)..];
                continue;
            }
            sb.Append(kind switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => kind });
            raw = raw[(slash + 2)..];
        }
        return sb.ToString();
    }

    private static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        sb.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }
}
