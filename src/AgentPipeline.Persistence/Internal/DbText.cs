using System.Buffers;
using System.Globalization;
using System.Text;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// A lossless stored form for the few strings the databases cannot hold as they are. PostgreSQL's
/// text rejects U+0000, and a UTF-8 encoder silently replaces a lone surrogate (a
/// truncated emoji) with U+FFFD. Both occur in real tool output, so instead of failing or
/// altering such a string the store escapes it with the noncharacter U+FFFF, which Unicode
/// reserves for internal use:
/// <list type="bullet">
/// <item>U+0000 → U+FFFF '0'</item>
/// <item>U+FFFF → U+FFFF U+FFFF</item>
/// <item>a lone surrogate → U+FFFF 'u' and its four hex digits</item>
/// </list>
/// Every other string is stored unchanged (one vectorized scan decides), on both providers alike,
/// and the store decodes on every read, so callers always get back exactly what they wrote.
/// </summary>
internal static class DbText
{
    public const char Escape = '\uFFFF';

    private static readonly SearchValues<char> Special = SearchValues.Create(
        string.Concat("\0", Escape.ToString(), new string([.. Enumerable.Range(0xD800, 0x800).Select(c => (char)c)])));

    public static bool NeedsEncoding(ReadOnlySpan<char> value)
    {
        var i = value.IndexOfAny(Special);
        while (i >= 0)
        {
            var c = value[i];
            if (c is '\0' or Escape)
            {
                return true;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i += 2; // a proper pair
            }
            else
            {
                return true; // lone surrogate
            }
            var next = value[i..].IndexOfAny(Special);
            i = next < 0 ? -1 : i + next;
        }
        return false;
    }

    public static string Encode(string value) => NeedsEncoding(value) ? EncodeSlow(value) : value;

    public static string EncodeSlow(ReadOnlySpan<char> value)
    {
        var sb = new StringBuilder(value.Length + 16);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                sb.Append(Escape).Append('0');
            }
            else if (c == Escape)
            {
                sb.Append(Escape).Append(Escape);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                sb.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                sb.Append(Escape).Append('u').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>The same, from SQLite's UTF-8 bytes (U+FFFF is EF BF BF there).</summary>
    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        var stored = Encoding.UTF8.GetString(utf8);
        return utf8.IndexOf("\uFFFF"u8) >= 0 ? DecodeSlow(stored) : stored;
    }

    public static string Decode(string stored) => stored.Contains(Escape, StringComparison.Ordinal) ? DecodeSlow(stored) : stored;

    private static string DecodeSlow(string stored)
    {
        var sb = new StringBuilder(stored.Length);
        for (var i = 0; i < stored.Length; i++)
        {
            var c = stored[i];
            if (c != Escape || i + 1 >= stored.Length)
            {
                sb.Append(c);
                continue;
            }
            var next = stored[i + 1];
            if (next == '0')
            {
                sb.Append('\0');
                i++;
            }
            else if (next == Escape)
            {
                sb.Append(Escape);
                i++;
            }
            else if (next == 'u' && i + 5 < stored.Length &&
                     int.TryParse(stored.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 5;
            }
            else
            {
                sb.Append(c); // not ours: keep as is
            }
        }
        return sb.ToString();
    }
}
