using System.Buffers;
using System.Collections.Frozen;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentPipeline.Persistence.Redaction;

/// <summary>
/// A conservative test, on a JSON value's raw UTF-8, of whether <see cref="DefaultSecretRedactor"/>'s full walk could
/// replace anything: when it says no, the walk would return the value unchanged, so the redactor returns it at once.
/// </summary>
/// <remarks>
/// <para>Every rule of the walk needs some text to be present, and the scan looks for all of it (a
/// <see cref="SearchValues{T}"/> searches: words in lower-cased text, key shapes in the text as it is), checking each find only as far as is needed to rule it out:</para>
/// <list type="bullet">
/// <item><b>Secret names</b> (property names, header entries, <c>name: value</c> pairs and query parameters in
/// strings). A name matches after normalisation (lower case, <c>-</c> and <c>_</c> dropped) when it ends with one of
/// <see cref="SecretNameSet.Endings"/> or equals one of <see cref="SecretNameSet.WholeNames"/>. Such a name is, in the
/// raw text, the last run of <c>[A-Za-z0-9_-]</c> of a key or string or the run before a separator, so it suffices to
/// find every run whose normalised form ends with an ending or equals a whole name. A run holding the word unbroken is
/// found by searching the word's last (up to 16) letters; one that breaks the word with <c>-</c>/<c>_</c> is found by
/// searching those separators, whose run's last segment must then be a proper ending of a word. Either way the run
/// itself is then normalised and compared; and what follows it must be what follows a name the walk reads (the
/// closing quote of a property name or a whole string, or a <c>:</c>/<c>=</c> after at most a quote and blanks), so
/// that the word <c>token</c> in prose does not count.</item>
/// <item><b>Key shapes</b> (the regular expression of <see cref="SecretText"/>): its literal prefixes (<c>sk-</c>,
/// <c>AIza</c>, <c>AKIA</c>, <c>eyJ</c>, …) in their exact case, not preceded by a character the expression's
/// look-behind excludes, followed by at least the run of token characters the expression requires;
/// <c>-----BEGIN</c>; <c>Bearer</c>/<c>Basic</c> (any case) followed by blanks and a token of a length the walk
/// could accept.</item>
/// <item><b>URL passwords</b>: <c>://</c> followed by an authority holding <c>@</c>.</item>
/// </list>
/// <para>JSON escapes: <c>\uXXXX</c> can spell any character and <c>\/</c> a slash, so raw text holding either goes
/// to the walk. The other escapes (<c>\" \\ \b \f \n \r \t</c>) stand for characters no name, prefix or token
/// contains; where they matter (a letter after the backslash looks like part of a word; <c>\t</c> is a blank) the
/// checks read them the way that can only find more. Non-ASCII characters that compare equal to ASCII letters
/// (<c>İ</c> lower-cases to <c>i</c>, the Kelvin sign to <c>k</c>; <c>ſ</c> matches <c>s</c> in a case-insensitive
/// expression) also go to the walk.</para>
/// </remarks>
internal sealed class SecretPrescan
{
    // Fragments are at most this long; a chunk of widened text overlaps the next by one less.
    private const int MaxFragment = 16;
    private const int ChunkChars = 1024;

    private static readonly SearchValues<byte> NameBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    private static readonly SearchValues<byte> Separators = SearchValues.Create("-_"u8);

    // What the regular expression's look-behind excludes before a key shape.
    private static readonly SearchValues<byte> ShapeNeighbours =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"u8);

    private static readonly SearchValues<byte> BearerTokenBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"u8);

    // Where the walk ends a URL's authority, less the backslash: an escape's backslash is read past, which can only
    // lengthen the authority searched for '@'.
    private static readonly SearchValues<byte> UrlAuthorityEnd = SearchValues.Create(" \t\r\n\f\v/?#\"'<>`"u8);

    // A backslash (for \u and \/) and the first bytes of the non-ASCII characters that compare equal to ASCII letters.
    private static readonly SearchValues<byte> Escapes = SearchValues.Create([(byte)'\\', 0xC4, 0xC5, 0xE2]);

    /// <summary>
    /// Non-ASCII characters that the walk could read as ASCII letters: <see cref="char.ToLowerInvariant(char)"/> of
    /// U+0130 is <c>i</c> and of U+212A (Kelvin sign) <c>k</c>; a case-insensitive regular expression matches U+017F
    /// (long s) for <c>s</c> and U+0131 (dotless i) for <c>i</c> in some cultures.
    /// </summary>
    internal static readonly char[] AsciiLookalikes = ['\u0130', '\u0131', '\u017F', '\u212A'];

    // (prefix, shortest run of token characters after it) for each alternative of SecretText's shape expression that
    // is anchored by the look-behind; the run's class is the widest any alternative uses, [A-Za-z0-9_-].
    private static readonly (string Prefix, int Run)[] Shapes =
    [
        ("sk-", 16), ("sk_live_", 16), ("sk_test_", 16), ("rk_live_", 16), ("rk_test_", 16), ("AIza", 35), ("ya29.", 20),
        ("AKIA", 16), ("ASIA", 16), ("ghp_", 30), ("gho_", 30), ("ghu_", 30), ("ghs_", 30), ("ghr_", 30), ("github_pat_", 22),
        ("xoxa-", 10), ("xoxb-", 10), ("xoxp-", 10), ("xoxo-", 10), ("xoxs-", 10), ("xoxr-", 10), ("eyJ", 8), ("gsk_", 20),
        ("xai-", 20), ("hf_", 30), ("pplx-", 20), ("r8_", 20), ("ek_", 16),
    ];

    // Two searches: a few values each keep SearchValues' candidate checks rare. Words (names, Bearer, Basic, ://) are
    // searched in lower-cased text, key shapes, whose case matters, in the text as it is.
    private readonly SearchValues<string> _words;
    private readonly SearchValues<string> _shapes;
    private readonly Fragment[]?[] _byFirstByte = new Fragment[]?[128];
    private readonly string[] _endings;
    private readonly string[] _wholeNames;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _properEndings;

    // The last one or two characters of every proper ending, as bits: most segments are ruled out without hashing.
    private readonly ulong[] _endingTails = new ulong[128 * 128 / 64];
    private readonly int _longestWord;

    private SecretPrescan(string[] endings, string[] wholeNames)
    {
        _endings = endings;
        _wholeNames = wholeNames;
        string[] words = [.. endings, .. wholeNames];
        _longestWord = words.Max(w => w.Length);
        var properEndings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            for (var length = 1; length < word.Length; length++)
            {
                properEndings.Add(word[^length..]);
                SetBit(_endingTails, TailKey(word.AsSpan()[^length..]));
            }
        }
        _properEndings = properEndings.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        var fragments = new List<Fragment>();
        // A word's tail; a tail that ends with another word's tail is found through that one.
        var tails = words.Select(w => w.Length > MaxFragment ? w[^MaxFragment..] : w).Distinct(StringComparer.Ordinal).ToList();
        foreach (var tail in tails)
        {
            if (!tails.Any(other => other.Length < tail.Length && tail.EndsWith(other, StringComparison.Ordinal)))
            {
                fragments.Add(new Fragment(tail, FragmentKind.Name, 0));
            }
        }
        foreach (var (prefix, run) in Shapes)
        {
            fragments.Add(new Fragment(prefix, FragmentKind.Shape, run));
        }
        fragments.Add(new Fragment("-----BEGIN", FragmentKind.PrivateKey, 0));
        fragments.Add(new Fragment("bearer", FragmentKind.Bearer, 0));
        fragments.Add(new Fragment("basic", FragmentKind.Basic, 0));
        fragments.Add(new Fragment("://", FragmentKind.Url, 0));

        _words = SearchValues.Create(
            [.. fragments.Where(f => f.Kind is not (FragmentKind.Shape or FragmentKind.PrivateKey)).Select(f => f.Text).Distinct(StringComparer.Ordinal)],
            StringComparison.Ordinal);
        _shapes = SearchValues.Create(
            [.. fragments.Where(f => f.Kind is FragmentKind.Shape or FragmentKind.PrivateKey).Select(f => f.Text).Distinct(StringComparer.Ordinal)],
            StringComparison.Ordinal);
        foreach (var group in fragments.GroupBy(f => char.ToLowerInvariant(f.Text[0])))
        {
            _byFirstByte[group.Key] = [.. group];
            if (char.IsAsciiLetterLower(group.Key))
            {
                _byFirstByte[char.ToUpperInvariant(group.Key)] = [.. group];
            }
        }
    }

    /// <summary>
    /// The scan for <paramref name="names"/>; null when an extra name is not plain ASCII letters and digits once
    /// normalised (the scan reasons about runs of name characters, so such names always take the full walk).
    /// </summary>
    public static SecretPrescan? Create(SecretNameSet names)
    {
        foreach (var name in names.WholeNames)
        {
            foreach (var c in name)
            {
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
                {
                    return null;
                }
            }
        }
        return new SecretPrescan([.. SecretNameSet.Endings], [.. names.WholeNames]);
    }

    /// <summary>
    /// False only when the full walk is certain to find nothing in <paramref name="utf8"/> (a JSON value's raw bytes);
    /// true when it might.
    /// </summary>
    public bool MayContainSecret(ReadOnlySpan<byte> utf8) =>
        HasUnsafeEscape(utf8) || HasBrokenName(utf8) || HasFragment(utf8);

    // \u, \/ and the non-ASCII look-alikes of ASCII letters.
    private static bool HasUnsafeEscape(ReadOnlySpan<byte> utf8)
    {
        var i = 0;
        while (true)
        {
            var found = utf8[i..].IndexOfAny(Escapes);
            if (found < 0)
            {
                return false;
            }
            i += found;
            var rest = utf8[i..];
            if (rest[0] == (byte)'\\')
            {
                if (rest.Length > 1 && rest[1] is (byte)'u' or (byte)'/')
                {
                    return true;
                }
                i += 2; // the escaped character, even a backslash, is not the start of another escape
                if (i >= utf8.Length)
                {
                    return false;
                }
                continue;
            }
            if (StartsWithLookalike(rest))
            {
                return true;
            }
            i++;
        }
    }

    private static bool StartsWithLookalike(ReadOnlySpan<byte> utf8)
    {
        Span<byte> encoded = stackalloc byte[4];
        foreach (var c in AsciiLookalikes)
        {
            var length = Encoding.UTF8.GetBytes([c], encoded);
            if (utf8.StartsWith(encoded[..length]))
            {
                return true;
            }
        }
        return false;
    }

    // A run of name characters broken by '-' or '_' whose last segment is a proper ending of a word
    // (api_key, to-ken): such a word is not found by searching it whole.
    private bool HasBrokenName(ReadOnlySpan<byte> utf8)
    {
        Span<char> segment = stackalloc char[_longestWord];
        var i = 0;
        while (i < utf8.Length)
        {
            var found = utf8[i..].IndexOfAny(Separators);
            if (found < 0)
            {
                return false;
            }
            var end = i + found;
            var after = utf8[end..].IndexOfAnyExcept(NameBytes);
            end = after < 0 ? utf8.Length : end + after;
            // The last non-empty segment of letters and digits.
            var segmentEnd = end;
            while (segmentEnd > 0 && utf8[segmentEnd - 1] is (byte)'-' or (byte)'_')
            {
                segmentEnd--;
            }
            var segmentStart = segmentEnd;
            while (segmentStart > 0 && char.IsAsciiLetterOrDigit((char)utf8[segmentStart - 1]) && segmentEnd - segmentStart < _longestWord)
            {
                segmentStart--;
            }
            var length = segmentEnd - segmentStart;
            if (length > 0 && length < _longestWord)
            {
                for (var k = 0; k < length; k++)
                {
                    segment[k] = (char)(utf8[segmentStart + k] | 0x20); // letters and digits only: | 0x20 lower-cases ASCII letters
                }
                if (HasBit(_endingTails, TailKey(segment[..length])) && _properEndings.Contains(segment[..length]) && RunMayName(utf8, segmentStart))
                {
                    return true;
                }
            }
            i = end + 1;
        }
        return false;
    }

    private bool HasFragment(ReadOnlySpan<byte> utf8)
    {
        Span<char> chunk = stackalloc char[ChunkChars];
        const int step = ChunkChars - (MaxFragment - 1);
        for (var start = 0; start < utf8.Length; start += step)
        {
            var length = Math.Min(ChunkChars, utf8.Length - start);
            var last = start + length == utf8.Length;
            // One char per byte: positions stay those of the bytes, and no byte >= 0x80 becomes an ASCII letter.
            Encoding.Latin1.GetChars(utf8.Slice(start, length), chunk);
            var text = chunk[..length];
            // A fragment starting in the overlap is found again, whole, by the next chunk.
            var limit = last ? length : step;
            if (HasFragment(utf8, start, text, limit, _shapes))
            {
                return true;
            }
            // Setting bit 5 lower-cases ASCII letters and leaves digits, '-', '.', ':' and '/' as they are (the words
            // hold nothing else); other bytes may change, but never into a letter. Bytes >= 0x80 stay >= 0x80.
            var units = MemoryMarshal.Cast<char, ushort>(text);
            var i = 0;
            for (; i + Vector<ushort>.Count <= units.Length; i += Vector<ushort>.Count)
            {
                (new Vector<ushort>(units[i..]) | new Vector<ushort>(0x20)).CopyTo(units[i..]);
            }
            for (; i < units.Length; i++)
            {
                units[i] |= 0x20;
            }
            if (HasFragment(utf8, start, text, limit, _words))
            {
                return true;
            }
            if (last)
            {
                break;
            }
        }
        return false;
    }

    private bool HasFragment(ReadOnlySpan<byte> utf8, int start, ReadOnlySpan<char> text, int limit, SearchValues<string> fragments)
    {
        var from = 0;
        while (from < limit)
        {
            var found = text[from..].IndexOfAny(fragments);
            if (found < 0 || from + found >= limit)
            {
                return false;
            }
            if (MatchesAt(utf8, start + from + found))
            {
                return true;
            }
            from += found + 1;
        }
        return false;
    }

    private bool MatchesAt(ReadOnlySpan<byte> utf8, int at)
    {
        var first = utf8[at];
        if (first >= 128 || _byFirstByte[first] is not { } candidates)
        {
            return true; // cannot happen (the search found a fragment here); be safe
        }
        foreach (var fragment in candidates)
        {
            var rest = utf8[at..];
            if (rest.Length < fragment.Text.Length || !Ascii.EqualsIgnoreCase(rest[..fragment.Text.Length], fragment.Utf8))
            {
                continue;
            }
            var matches = fragment.Kind switch
            {
                FragmentKind.Name => NameEndsRun(utf8, at, fragment.Text.Length) && RunMayName(utf8, at),
                FragmentKind.Shape => rest.StartsWith(fragment.Utf8) && BoundaryBefore(utf8, at, ShapeNeighbours)
                    && RunLength(rest[fragment.Utf8.Length..]) >= fragment.Run,
                FragmentKind.PrivateKey => rest.StartsWith(fragment.Utf8),
                FragmentKind.Bearer or FragmentKind.Basic => BoundaryBefore(utf8, at, null) && SchemeTokenMayMatch(rest[fragment.Utf8.Length..], fragment.Kind),
                FragmentKind.Url => rest[3..].IndexOfAny(UrlAuthorityEnd) is var end && (end < 0 ? rest[3..] : rest[3..(3 + end)]).Contains((byte)'@'),
                _ => true,
            };
            if (matches)
            {
                return true;
            }
        }
        return false;
    }

    // One character (0-127) or the last two (128 + 128 * first + second, folded into 14 bits).
    private static int TailKey(ReadOnlySpan<char> text) =>
        text.Length == 1 ? text[0] & 0x7F : (((text[^2] & 0x7F) << 7) | (text[^1] & 0x7F)) ^ 0x2000;

    private static void SetBit(ulong[] bits, int key) => bits[key >> 6] |= 1UL << (key & 63);

    private static bool HasBit(ulong[] bits, int key) => (bits[key >> 6] & (1UL << (key & 63))) != 0;

    // Only '-' and '_' between the word and the end of its run of name characters.
    private static bool NameEndsRun(ReadOnlySpan<byte> utf8, int at, int length)
    {
        var end = at + length;
        while (end < utf8.Length && utf8[end] is (byte)'-' or (byte)'_')
        {
            end++;
        }
        return end == utf8.Length || !char.IsAsciiLetterOrDigit((char)utf8[end]);
    }

    /// <summary>
    /// Whether the run of name characters around <paramref name="inside"/>, normalised, ends with an ending or is a
    /// whole name (or, right after a backslash whose escape letter may have joined the run, ends with one).
    /// </summary>
    private bool RunMayName(ReadOnlySpan<byte> utf8, int inside)
    {
        var after = utf8[inside..].IndexOfAnyExcept(NameBytes);
        var end = after < 0 ? utf8.Length : inside + after;
        if (!EndsLikeAName(utf8, end))
        {
            return false;
        }
        // The normalised run, back to front, as far as the longest word plus one (to tell "equals" from "ends with").
        Span<char> tail = stackalloc char[_longestWord + 1];
        var filled = 0;
        var i = end;
        while (i > 0 && NameBytes.Contains(utf8[i - 1]) && filled < tail.Length)
        {
            var b = utf8[--i];
            if (b is not ((byte)'-' or (byte)'_'))
            {
                tail[tail.Length - ++filled] = (char)(char.IsAsciiLetterUpper((char)b) ? b | 0x20 : b);
            }
        }
        while (i > 0 && utf8[i - 1] is (byte)'-' or (byte)'_')
        {
            i--;
        }
        var normalized = tail[^filled..];
        var whole = i == 0 || !NameBytes.Contains(utf8[i - 1]);
        var afterBackslash = whole && i > 0 && utf8[i - 1] == (byte)'\\';
        foreach (var ending in _endings)
        {
            if (normalized.EndsWith(ending, StringComparison.Ordinal))
            {
                return true;
            }
        }
        foreach (var name in _wholeNames)
        {
            if ((whole && normalized.SequenceEqual(name)) || (afterBackslash && normalized.EndsWith(name, StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }

    // What may follow a name the walk looks at, in raw bytes: the quote that ends a property name or a whole string
    // (a header entry's name), or, in text, a separator (':' or '=') after an optional closing quote (", \" or ')
    // and up to four blanks (' ', or \t as an escape). Bytes of those are skipped a bounded distance, generously.
    private static bool EndsLikeAName(ReadOnlySpan<byte> utf8, int end)
    {
        if (end >= utf8.Length || utf8[end] == (byte)'"')
        {
            return true;
        }
        for (var i = end; i < utf8.Length && i < end + 16; i++)
        {
            switch (utf8[i])
            {
                case (byte)':' or (byte)'=':
                    return true;
                case (byte)' ' or (byte)'\t' or (byte)'\\' or (byte)'"' or (byte)'\'' or (byte)'t':
                    continue;
                default:
                    return false;
            }
        }
        return true;
    }

    // The look-behind: nothing before, or a byte outside the excluded set (null: letters and digits), or a letter
    // right after a backslash (an escape such as \n, which decodes to a character outside it).
    private static bool BoundaryBefore(ReadOnlySpan<byte> utf8, int at, SearchValues<byte>? excluded)
    {
        if (at == 0)
        {
            return true;
        }
        var before = utf8[at - 1];
        var isExcluded = excluded is null ? char.IsAsciiLetterOrDigit((char)before) : excluded.Contains(before);
        return !isExcluded || (at >= 2 && utf8[at - 2] == (byte)'\\' && char.IsAsciiLetter((char)before));
    }

    private static int RunLength(ReadOnlySpan<byte> utf8)
    {
        var run = utf8.IndexOfAnyExcept(NameBytes);
        return run < 0 ? utf8.Length : run;
    }

    // After "Bearer"/"Basic": blanks (' ', or \t written as an escape), then a token the walk could accept: for
    // Bearer at least 8 characters with a digit or at least 20; for Basic a multiple of 4 characters.
    private static bool SchemeTokenMayMatch(ReadOnlySpan<byte> rest, FragmentKind kind)
    {
        var i = 0;
        var blanks = 0;
        while (i < rest.Length)
        {
            if (rest[i] is (byte)' ' or (byte)'\t')
            {
                i++;
            }
            else if (rest[i] == (byte)'\\' && i + 1 < rest.Length && rest[i + 1] == (byte)'t')
            {
                i += 2;
            }
            else
            {
                break;
            }
            blanks++;
        }
        if (blanks == 0)
        {
            return false;
        }
        var token = rest[i..];
        var length = token.IndexOfAnyExcept(BearerTokenBytes);
        length = length < 0 ? token.Length : length;
        if (length == 0)
        {
            return false;
        }
        var hasDigit = token[..length].IndexOfAnyInRange((byte)'0', (byte)'9') >= 0;
        while (length < token.Length && token[length] == (byte)'=')
        {
            length++;
        }
        return kind == FragmentKind.Bearer ? length >= 8 && (hasDigit || length >= 20) : length >= 4 && length % 4 == 0;
    }

    private enum FragmentKind
    {
        Name,
        Shape,
        PrivateKey,
        Bearer,
        Basic,
        Url,
    }

    private sealed class Fragment(string text, FragmentKind kind, int run)
    {
        public string Text { get; } = text;

        public byte[] Utf8 { get; } = Encoding.ASCII.GetBytes(text);

        public FragmentKind Kind { get; } = kind;

        public int Run { get; } = run;
    }
}
