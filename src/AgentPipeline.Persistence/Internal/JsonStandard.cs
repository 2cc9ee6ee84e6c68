using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// A caller's JSON value made fit to store (api.md rule 7, "malformed JSON"), before any I/O:
/// <list type="bullet">
/// <item>Its text must be standard JSON (RFC 8259). A <see cref="JsonElement"/> parsed with
/// <see cref="JsonDocumentOptions.CommentHandling"/> = Skip or <see cref="JsonDocumentOptions.AllowTrailingCommas"/>
/// still carries the comments and commas in its raw text, which PostgreSQL's json type and SQLite's
/// <c>json_valid</c> refuse and a standard parser would refuse on the way back; such a value is rewritten without them (<see cref="DbJson.Standardized"/>:
/// numbers as written, strings re-escaped minimally, the same values).</item>
/// <item>Every object's property names must be unique. RFC 8259 leaves the meaning of a repeated
/// name open: readers differ (the first wins, the last wins, or an error), so the value read back
/// would depend on the reader, and a replay could not be compared by meaning; a repeated name is
/// refused, naming the field and the name.</item>
/// <item>Nesting deeper than <see cref="DbJson.MaxDepth"/> is refused (it could not be read back).</item>
/// </list>
/// One pass of <see cref="Utf8JsonReader"/> over the value's raw UTF-8, allocating nothing for
/// objects of up to <see cref="SmallObject"/> names.
/// </summary>
internal static class JsonStandard
{
    /// <summary>Names per object compared pairwise; a larger object's names go into a hash set.</summary>
    internal const int SmallObject = 32;

    private static readonly JsonReaderOptions Strict = new() { MaxDepth = DbJson.MaxDepth };

    /// <summary>The value to store: <paramref name="value"/> itself, or its standard rewrite.</summary>
    /// <exception cref="ArgumentException">A repeated property name, or nesting too deep; names <paramref name="field"/>.</exception>
    public static JsonElement Enforce(JsonElement value, string field)
    {
        string? repeated;
        try
        {
            repeated = FirstRepeatedName(JsonMarshal.GetRawUtf8Value(value), Strict);
        }
        catch (JsonException)
        {
            // Not standard text: comments or trailing commas kept from a lenient parse (or too deep).
            try
            {
                value = DbJson.Standardized(JsonMarshal.GetRawUtf8Value(value));
                repeated = FirstRepeatedName(JsonMarshal.GetRawUtf8Value(value), Strict);
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"{field} is not JSON the store can keep (nested deeper than {DbJson.MaxDepth} levels?): {e.Message}", field, e);
            }
        }
        return repeated is null
            ? value
            : throw new ArgumentException(
                $"{field} holds the property name \"{repeated}\" more than once in one object. JSON names must be unique " +
                "(readers disagree on which of the repeated values counts); merge the values, e.g. into an array.", field);
    }

    /// <summary>The first property name repeated within one object, or null. Throws <see cref="JsonException"/> on text that is not JSON under <paramref name="options"/>.</summary>
    internal static string? FirstRepeatedName(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(utf8, options);
        var names = new NameStack();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Open();
                        break;
                    case JsonTokenType.EndObject:
                        names.Close();
                        break;
                    case JsonTokenType.PropertyName:
                        if (names.AddIsRepeat(utf8, ref reader) is { } repeated)
                        {
                            return repeated;
                        }
                        break;
                }
            }
            return null;
        }
        finally
        {
            names.Dispose();
        }
    }

    /// <summary>
    /// The names of the objects open at the reader's position, innermost last. A name is kept as a
    /// range of the value's own bytes when it has no escapes, else unescaped into a side buffer, so
    /// that <c>"a"</c> and <c>"\u0061"</c> are the same name.
    /// </summary>
    private struct NameStack : IDisposable
    {
        private (int Start, int Length)[]? _names; // Start >= 0: in the value; < 0: ~offset in _unescaped
        private int _count;
        private int[]? _frames;                    // index in _names where each open object's names begin
        private int _depth;
        private byte[]? _unescaped;
        private int _unescapedLength;
        private Dictionary<int, HashSet<string>>? _large; // by depth, for objects past SmallObject names

        public void Open()
        {
            _frames ??= ArrayPool<int>.Shared.Rent(16);
            if (_depth == _frames.Length)
            {
                _frames = Grow(_frames);
            }
            _frames[_depth++] = _count;
        }

        public void Close()
        {
            _large?.Remove(_depth);
            _count = _frames![--_depth];
        }

        /// <summary>Adds the reader's property name to the innermost object; returns it if that object already had it.</summary>
        public string? AddIsRepeat(ReadOnlySpan<byte> utf8, ref Utf8JsonReader reader)
        {
            var name = Name(utf8, ref reader);
            var first = _frames![_depth - 1];
            if (_large is not null && _large.TryGetValue(_depth, out var set))
            {
                var text = Text(Bytes(utf8, name));
                return set.Add(text) ? null : text;
            }
            var bytes = Bytes(utf8, name);
            for (var i = first; i < _count; i++)
            {
                if (Bytes(utf8, _names![i]).SequenceEqual(bytes))
                {
                    return Text(bytes);
                }
            }
            if (_count - first == SmallObject)
            {
                // A large object: from here on, names go into a set (the earlier ones with them).
                var names = new HashSet<string>(StringComparer.Ordinal);
                for (var i = first; i < _count; i++)
                {
                    names.Add(Text(Bytes(utf8, _names![i])));
                }
                names.Add(Text(bytes));
                (_large ??= [])[_depth] = names;
                return null;
            }
            _names ??= ArrayPool<(int, int)>.Shared.Rent(64);
            if (_count == _names.Length)
            {
                _names = Grow(_names);
            }
            _names[_count++] = name;
            return null;
        }

        private (int Start, int Length) Name(ReadOnlySpan<byte> utf8, ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                // The reader reads one contiguous span: the name's bytes follow the token's opening quote.
                return ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            // Unescaping never lengthens UTF-8; the UTF-16 form below takes at most twice the bytes, plus one.
            var needed = 2 * reader.ValueSpan.Length + 1;
            _unescaped ??= ArrayPool<byte>.Shared.Rent(Math.Max(256, needed));
            while (_unescapedLength + needed > _unescaped.Length)
            {
                _unescaped = Grow(_unescaped);
            }
            int written;
            try
            {
                written = reader.CopyString(_unescaped.AsSpan(_unescapedLength));
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate has no UTF-8 form: the name's UTF-16 code units stand for it, after
                // a byte no UTF-8 text holds (so it cannot equal a name that has a UTF-8 form, and
                // "\uD800" and "\ud800" are the same name).
                var text = DbJson.Unescape(reader.ValueSpan, escaped: true);
                var destination = _unescaped.AsSpan(_unescapedLength);
                destination[0] = 0xFF;
                MemoryMarshal.AsBytes(text.AsSpan()).CopyTo(destination[1..]);
                written = 1 + 2 * text.Length;
            }
            var start = ~_unescapedLength;
            _unescapedLength += written;
            return (start, written);
        }

        /// <summary>A kept name as text: UTF-8, or after the 0xFF marker the UTF-16 code units of a name with a lone surrogate.</summary>
        private static string Text(ReadOnlySpan<byte> name) =>
            name.Length > 0 && name[0] == 0xFF
                ? new string(MemoryMarshal.Cast<byte, char>(name[1..]))
                : Encoding.UTF8.GetString(name);

        private readonly ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> utf8, (int Start, int Length) name) =>
            name.Start >= 0 ? utf8.Slice(name.Start, name.Length) : _unescaped.AsSpan(~name.Start, name.Length);

        private static T[] Grow<T>(T[] array)
        {
            var larger = ArrayPool<T>.Shared.Rent(array.Length * 2);
            array.CopyTo(larger, 0);
            ArrayPool<T>.Shared.Return(array);
            return larger;
        }

        public void Dispose()
        {
            if (_names is not null)
            {
                ArrayPool<(int, int)>.Shared.Return(_names);
            }
            if (_frames is not null)
            {
                ArrayPool<int>.Shared.Return(_frames);
            }
            if (_unescaped is not null)
            {
                ArrayPool<byte>.Shared.Return(_unescaped);
            }
        }
    }
}
