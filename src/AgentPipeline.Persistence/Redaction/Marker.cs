namespace AgentPipeline.Persistence.Redaction;

/// <summary>The <c>[REDACTED:kind]</c> text that takes a secret's place.</summary>
internal static class Marker
{
    public const string Prefix = "[REDACTED:";
    public const int MaxKindLength = 64;

    public static string Format(string kind) => Prefix + kind + "]";

    /// <summary>The length in UTF-8 bytes of <see cref="Format"/>'s marker for <paramref name="kind"/> (kinds are ASCII).</summary>
    public static int Utf8Length(string kind) => Prefix.Length + kind.Length + 1;

    /// <summary>Writes the marker for <paramref name="kind"/> as UTF-8 to the start of <paramref name="destination"/>, without allocating.</summary>
    public static void WriteUtf8(string kind, Span<byte> destination)
    {
        "[REDACTED:"u8.CopyTo(destination);
        System.Text.Encoding.ASCII.GetBytes(kind, destination[Prefix.Length..]);
        destination[Prefix.Length + kind.Length] = (byte)']';
    }

    /// <summary>Lower case, only <c>a-z 0-9 . _ -</c>, at most 64 characters; <c>secret</c> when nothing is left.</summary>
    public static string SanitizeKind(ReadOnlySpan<char> name)
    {
        Span<char> buffer = stackalloc char[MaxKindLength];
        var length = 0;
        foreach (var c in name)
        {
            var lower = char.ToLowerInvariant(c);
            if (length < MaxKindLength && (char.IsAsciiLetterLower(lower) || char.IsAsciiDigit(lower) || lower is '.' or '_' or '-'))
            {
                buffer[length++] = lower;
            }
        }
        return length == 0 ? "secret" : new string(buffer[..length]);
    }

    /// <summary>Whether <paramref name="text"/> starts with a marker (so redacting it again changes nothing).</summary>
    public static bool StartsWithMarker(ReadOnlySpan<char> text) => MarkerLength(text) > 0;

    /// <summary>The length of the marker <paramref name="text"/> starts with, or 0.</summary>
    public static int MarkerLength(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return 0;
        }
        var kind = text[Prefix.Length..];
        var end = kind.IndexOf(']');
        return end > 0 && end <= MaxKindLength && IsKind(kind[..end]) ? Prefix.Length + end + 1 : 0;
    }

    /// <summary>Whether raw UTF-8 string content is exactly one marker.</summary>
    public static bool IsMarker(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length < Prefix.Length + 2 || utf8.Length > Prefix.Length + MaxKindLength + 1 || utf8[^1] != (byte)']')
        {
            return false;
        }
        for (var i = 0; i < Prefix.Length; i++)
        {
            if (utf8[i] != Prefix[i])
            {
                return false;
            }
        }
        foreach (var b in utf8[Prefix.Length..^1])
        {
            if (!IsKindChar((char)b))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsKind(ReadOnlySpan<char> kind)
    {
        foreach (var c in kind)
        {
            if (!IsKindChar(c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsKindChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-';
}
