using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentPipeline.Persistence.Redaction;

/// <summary>A secret found in a string: characters <c>[Start, End)</c> and the marker kind.</summary>
internal readonly record struct Hit(int Start, int End, string Kind);

/// <summary>
/// Finds credentials inside one string value: well-known key shapes, <c>Bearer</c>/<c>Basic</c> credentials,
/// <c>name: value</c> / <c>name=value</c> pairs whose name is a secret's, query parameters and URL passwords.
/// </summary>
internal static partial class SecretText
{
    // Shapes: each anchored so it cannot start inside a longer token or a base64 run (the look-behind
    // includes + and /), which keeps random data such as inline images from matching by chance.
    private const string Shapes =
        @"(?<![A-Za-z0-9+/_\-])(?:" +
        @"sk-[A-Za-z0-9_\-]{16,}" +
        @"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}" +
        @"|AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])" +
        @"|ya29\.[0-9A-Za-z_\-]{20,}" +
        @"|A(?:KI|SI)A[0-9A-Z]{16}(?![A-Za-z0-9])" +
        @"|gh[pousr]_[A-Za-z0-9]{30,}" +
        @"|github_pat_[A-Za-z0-9_]{22,}" +
        @"|xox[abposr]-[A-Za-z0-9\-]{10,}" +
        @"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*" +
        @"|gsk_[A-Za-z0-9]{20,}" +
        @"|xai-[A-Za-z0-9]{20,}" +
        @"|hf_[A-Za-z0-9]{30,}" +
        @"|pplx-[A-Za-z0-9]{20,}" +
        @"|r8_[A-Za-z0-9]{20,}" +
        @"|ek_[A-Za-z0-9]{16,}" +
        @")" +
        @"|-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\z)" +
        @"|(?<![A-Za-z0-9])(?i:bearer|basic)[ \t]+[A-Za-z0-9\-._~+/]+=*";

    // First match wins: sk-ant- before sk-, github_pat_ before gh.
    private static readonly (string Prefix, string Kind)[] Prefixed =
    [
        ("sk-ant-", "anthropic-key"), ("sk-or-", "openrouter-key"), ("sk-", "openai-key"), ("sk_", "stripe-key"), ("rk_", "stripe-key"),
        ("ya29.", "google-oauth-token"), ("github_pat_", "github-token"), ("gh", "github-token"), ("xox", "slack-token"),
        ("gsk_", "groq-key"), ("xai-", "xai-key"), ("hf_", "huggingface-token"), ("pplx-", "perplexity-key"), ("r8_", "replicate-token"), ("ek_", "openai-ephemeral-key"),
    ];

    [GeneratedRegex(Shapes, RegexOptions.CultureInvariant)]
    private static partial Regex ShapeRegex();

    private static readonly string[] AuthSchemes = ["Bearer", "Basic", "Token", "Digest", "ApiKey", "Negotiate"];
    private static readonly SearchValues<char> VariableName = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
    private static readonly SearchValues<char> LowerIdentifier = SearchValues.Create("abcdefghijklmnopqrstuvwxyz_$");
    private static readonly SearchValues<char> Separators = SearchValues.Create(":=");
    private static readonly SearchValues<char> PlainEnd = SearchValues.Create(" \t\r\n\f\v,;&\"'<>(){}[]\\`");
    private static readonly SearchValues<char> QueryEnd = SearchValues.Create(" \t\r\n\f\v&#\"'<>\\`");
    private static readonly SearchValues<char> LineEnd = SearchValues.Create("\r\n\"'`\\");
    private static readonly SearchValues<char> UrlAuthorityEnd = SearchValues.Create(" \t\r\n\f\v/?#\"'<>\\`");

    // Values that, written after a secret's name in text, are code or placeholders rather than secrets:
    // "apiKey: string" in a TypeScript interface, "password: None", "api_key=api_key".
    private static readonly string[] NotSecretWords =
    [
        "null", "nil", "none", "true", "false", "undefined", "string", "str", "number", "int", "boolean", "bool", "any",
        "unknown", "object", "optional", "required", "redacted", "hidden", "masked",
        // code: const password = await prompt(); api_key = self.api_key; token: this.token
        "await", "async", "new", "this", "self", "function", "lambda", "input", "getpass", "prompt", "env", "process", "config",
        "settings", "args", "options", "params", "request", "req", "ctx", "os", "secrets", "typeof",
    ];

    /// <summary>The secrets in <paramref name="s"/>, in order and non-overlapping; <see langword="null"/> when there are none.</summary>
    public static List<Hit>? Find(ReadOnlySpan<char> s, SecretNameSet names)
    {
        List<Hit>? hits = null;
        FindPairs(s, names, ref hits);
        FindShapes(s, ref hits);
        if (hits is null || hits.Count == 1)
        {
            return hits;
        }
        // Overlaps (a pair's value that is also a key shape) merge into one marker of the first kind: over-redacting
        // a few characters is fine, leaving a tail of a secret is not. The sort is stable and pairs were found first,
        // so on a tie the name's kind wins, deterministically (replays compare the redacted values).
        var merged = new List<Hit>(hits.Count);
        foreach (var hit in hits.OrderBy(h => h.Start).ThenByDescending(h => h.End))
        {
            if (merged.Count > 0 && hit.Start < merged[^1].End)
            {
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, hit.End) };
            }
            else
            {
                merged.Add(hit);
            }
        }
        return merged;
    }

    /// <summary><paramref name="s"/> with every hit replaced by its marker.</summary>
    public static string Replace(ReadOnlySpan<char> s, List<Hit> hits)
    {
        var builder = new StringBuilder(s.Length);
        var copied = 0;
        foreach (var hit in hits)
        {
            builder.Append(s[copied..hit.Start]).Append(Marker.Format(hit.Kind));
            copied = hit.End;
        }
        return builder.Append(s[copied..]).ToString();
    }

    /// <summary>
    /// The quoted JSON string for <paramref name="utf8"/> (unescaped UTF-8 content, decoded as <paramref name="s"/>)
    /// with every hit replaced: the bytes outside the hits are copied unchanged.
    /// </summary>
    public static byte[] ReplaceUtf8Quoted(ReadOnlySpan<byte> utf8, ReadOnlySpan<char> s, List<Hit> hits)
    {
        var output = new ArrayBufferWriter<byte>(utf8.Length + 2 + hits.Count * 24);
        output.Write("\""u8);
        int copiedChars = 0, copiedBytes = 0;
        foreach (var hit in hits)
        {
            var startByte = copiedBytes + Encoding.UTF8.GetByteCount(s[copiedChars..hit.Start]);
            var endByte = startByte + Encoding.UTF8.GetByteCount(s[hit.Start..hit.End]);
            output.Write(utf8[copiedBytes..startByte]);
            var markerLength = Marker.Utf8Length(hit.Kind);
            Marker.WriteUtf8(hit.Kind, output.GetSpan(markerLength));
            output.Advance(markerLength);
            copiedChars = hit.End;
            copiedBytes = endByte;
        }
        output.Write(utf8[copiedBytes..]);
        output.Write("\""u8);
        return output.WrittenSpan.ToArray();
    }

    private static void FindShapes(ReadOnlySpan<char> s, ref List<Hit>? hits)
    {
        var regex = ShapeRegex();
        var position = 0;
        while (position < s.Length)
        {
            var found = false;
            ValueMatch match = default;
            foreach (var m in regex.EnumerateMatches(s, position))
            {
                match = m;
                found = true;
                break;
            }
            if (!found)
            {
                return;
            }
            if (Classify(s.Slice(match.Index, match.Length), out var offset, out var length, out var kind))
            {
                (hits ??= []).Add(new Hit(match.Index + offset, match.Index + offset + length, kind));
                position = match.Index + match.Length;
            }
            else
            {
                position = match.Index + 1;
            }
        }
    }

    // Decides whether a shape candidate is a secret; offset/length select the part to replace
    // ("Bearer " stays readable, only the credential after it goes).
    private static bool Classify(ReadOnlySpan<char> m, out int offset, out int length, out string kind)
    {
        offset = 0;
        length = m.Length;
        kind = "";
        switch (m[0])
        {
            case '-':
                kind = "private-key";
                return true;
            case 'b' or 'B' when m.Length > 6 && char.ToLowerInvariant(m[1]) == 'e':
                offset = m.IndexOfAny(' ', '\t');
                offset += m[offset..].IndexOfAnyExcept(' ', '\t');
                length = m.Length - offset;
                kind = "bearer-token";
                return LooksLikeBearerToken(m[offset..]);
            case 'b' or 'B':
                offset = m.IndexOfAny(' ', '\t');
                offset += m[offset..].IndexOfAnyExcept(' ', '\t');
                length = m.Length - offset;
                kind = "basic-credentials";
                return IsBasicCredentials(m[offset..]);
            case 'A' when m.StartsWith("AIza", StringComparison.Ordinal):
                kind = "google-api-key";
                return true;
            case 'A':
                kind = "aws-access-key-id";
                return true;
            case 'e' when m.StartsWith("eyJ", StringComparison.Ordinal):
                kind = "jwt";
                return true;
        }
        foreach (var (prefix, prefixKind) in Prefixed)
        {
            if (m.StartsWith(prefix, StringComparison.Ordinal))
            {
                kind = prefixKind;
                return LooksRandom(m[prefix.Length..]);
            }
        }
        return false;
    }

    /// <summary>
    /// A generated credential: a run of at least 12 letters and digits that mixes both, or a run of at least 30
    /// mixing upper and lower case (letter-only tokens). Rejects words and word-like tails such as
    /// <c>sk-learn-tutorial</c> or <c>Authorization</c>.
    /// </summary>
    internal static bool LooksRandom(ReadOnlySpan<char> body)
    {
        int run = 0, longest = 0;
        bool digit = false, upper = false, lower = false;
        foreach (var c in body)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                longest = Math.Max(longest, ++run);
                digit |= char.IsAsciiDigit(c);
                upper |= char.IsAsciiLetterUpper(c);
                lower |= char.IsAsciiLetterLower(c);
            }
            else
            {
                run = 0;
            }
        }
        return longest >= 12 && ((digit && (upper || lower)) || (longest >= 30 && upper && lower));
    }

    // "Bearer of bad news", "Bearer YOUR_API_KEY" and "Bearer realm=…" are prose or placeholders; a token has a digit or is long.
    private static bool LooksLikeBearerToken(ReadOnlySpan<char> token) =>
        token.Length >= 8 && (token.IndexOfAnyInRange('0', '9') >= 0 || token.Length >= 20) && !IsPlaceholder(token);

    // "Basic authentication" is prose: real credentials are base64 of "user:password".
    private static bool IsBasicCredentials(ReadOnlySpan<char> token)
    {
        if (token.Length < 4 || token.Length % 4 != 0 || token.Length > 4096)
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[token.Length];
        if (!Convert.TryFromBase64Chars(token, decoded, out var written))
        {
            return false;
        }
        var text = decoded[..written];
        return text.IndexOf((byte)':') > 0 && text.IndexOfAnyInRange((byte)0, (byte)31) < 0;
    }

    private static bool IsPlaceholder(ReadOnlySpan<char> token)
    {
        // YOUR_API_KEY, OPENAI_API_KEY, API_KEY_HERE: upper-case words joined by underscores.
        foreach (var c in token)
        {
            if (!(char.IsAsciiLetterUpper(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    private static void FindPairs(ReadOnlySpan<char> s, SecretNameSet names, ref List<Hit>? hits)
    {
        var i = 0;
        while (i < s.Length)
        {
            var next = s[i..].IndexOfAny(Separators);
            if (next < 0)
            {
                return;
            }
            i += next;
            if (TryUrlPassword(s, i, out var hit) || TryPair(s, i, names, out hit))
            {
                (hits ??= []).Add(hit);
                i = Math.Max(hit.End, i + 1);
            }
            else
            {
                i++;
            }
        }
    }

    // scheme://user:password@host: the password goes, the user and host stay.
    private static bool TryUrlPassword(ReadOnlySpan<char> s, int colon, out Hit hit)
    {
        hit = default;
        if (s[colon] != ':' || !s[(colon + 1)..].StartsWith("//", StringComparison.Ordinal) || colon == 0 || !char.IsAsciiLetter(s[colon - 1]))
        {
            return false;
        }
        var start = colon + 3;
        var authority = s[start..];
        var end = authority.IndexOfAny(UrlAuthorityEnd);
        if (end >= 0)
        {
            authority = authority[..end];
        }
        var at = authority.LastIndexOf('@');
        if (at <= 0)
        {
            return false;
        }
        var userInfo = authority[..at];
        var separator = userInfo.IndexOf(':');
        if (separator < 0 || separator == userInfo.Length - 1 || Marker.StartsWithMarker(userInfo[(separator + 1)..]))
        {
            return false;
        }
        hit = new Hit(start + separator + 1, start + at, "url-password");
        return true;
    }

    // name: value, name=value, "name": "value", ?name=value — with name a secret's.
    private static bool TryPair(ReadOnlySpan<char> s, int separator, SecretNameSet names, out Hit hit)
    {
        hit = default;
        var sep = s[separator];
        if (sep == '=' && separator + 1 < s.Length && s[separator + 1] == '=')
        {
            return false; // a comparison (==, ===)
        }
        if (separator > 0 && s[separator - 1] is '=' or '!' or '<' or '>')
        {
            return false; // ==, !=, <=, >=
        }
        // The name: back over spaces, an optional closing quote (escaped or not), then name characters.
        var nameEnd = separator;
        for (var spaces = 0; nameEnd > 0 && s[nameEnd - 1] is ' ' or '\t' && spaces < 4; spaces++)
        {
            nameEnd--;
        }
        if (nameEnd > 0 && s[nameEnd - 1] is '"' or '\'')
        {
            nameEnd--;
            if (nameEnd > 0 && s[nameEnd - 1] == '\\')
            {
                nameEnd--;
            }
        }
        var nameStart = nameEnd;
        while (nameStart > 0 && IsNameChar(s[nameStart - 1]) && nameEnd - nameStart <= 64)
        {
            nameStart--;
        }
        var name = s[nameStart..nameEnd];
        if (name.Length < 2 || name.Length > 64 || !char.IsAsciiLetter(name[0]) || (nameStart > 0 && IsNameChar(s[nameStart - 1])))
        {
            return false;
        }
        var query = sep == '=' && nameEnd == separator && nameStart > 0 && s[nameStart - 1] is '?' or '&';
        if (!names.TryMatch(name, query ? NameScope.Query : NameScope.Text, out var match, resolveKind: false))
        {
            return false;
        }

        // The value.
        var v = separator + 1;
        if (!query)
        {
            while (v < s.Length && s[v] is ' ' or '\t')
            {
                v++;
            }
        }
        if (v >= s.Length)
        {
            return false;
        }
        int valueStart, valueEnd;
        var c = s[v];
        if (c is '"' or '\'' || (c == '\\' && v + 1 < s.Length && s[v + 1] is '"' or '\''))
        {
            var quote = c == '\\' ? s[v + 1] : c;
            valueStart = c == '\\' ? v + 2 : v + 1;
            var close = s[valueStart..].IndexOfAny(quote, '\r', '\n');
            valueEnd = close < 0 ? s.Length : valueStart + close;
            if (c == '\\' && valueEnd > valueStart && s[valueEnd - 1] == '\\')
            {
                valueEnd--;
            }
        }
        else
        {
            valueStart = v;
            var stops = query ? QueryEnd : match.LineValue ? LineEnd : PlainEnd;
            var end = s[v..].IndexOfAny(stops);
            valueEnd = end < 0 ? s.Length : v + end;
            while (valueEnd > valueStart && char.IsWhiteSpace(s[valueEnd - 1]))
            {
                valueEnd--;
            }
            if (!query && !match.LineValue && valueEnd < s.Length && s[valueEnd] == '(')
            {
                return false; // a call: password = hash(…), api_key=os.getenv("…")
            }
        }
        var value = s[valueStart..valueEnd];
        if (!IsSecretValue(value, names, match.Heuristic, match.Weak) || (match.Weak && InLogprobEntry(s, nameStart, valueEnd)))
        {
            return false;
        }
        hit = new Hit(valueStart, valueEnd, match.Kind ?? Marker.SanitizeKind(name));
        return true;
    }

    private static bool IsSecretValue(ReadOnlySpan<char> value, SecretNameSet names, bool heuristic, bool weak)
    {
        // "Bearer <token>", "Bearer $TOKEN": judge the credential after an authentication scheme, not the scheme.
        var space = value.IndexOfAny(' ', '\t');
        if (space > 0 && IsSchemeWord(value[..space]))
        {
            value = value[(space + 1)..].TrimStart();
        }
        if (value.IsEmpty || Marker.StartsWithMarker(value) || value[0] is '$' or '{' or '[' or '<' or '*' || IsWindowsVariable(value))
        {
            return false; // nothing, already redacted, a variable ($KEY, ${KEY}, %KEY%), structure, a placeholder, a mask
        }
        foreach (var word in NotSecretWords)
        {
            if (value.Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        if (IsDottedIdentifier(value) || (names.TryMatch(value, NameScope.Text, out var named, resolveKind: false) && !named.Heuristic) || IsPlaceholder(value))
        {
            return false; // code (process.env.OPENAI_API_KEY, self.api_key), a variable named like a secret, YOUR_KEY
        }
        return weak ? LooksRandom(value) : !heuristic || LooksLikeCredential(value);
    }

    // {"token":" toppings","logprob":-0.77,"bytes":[…],"top_logprobs":[…]}: the pair sits in a log-probability entry
    // (the object around it, within a few hundred characters, names logprob), whose token is model output, not a key.
    private static bool InLogprobEntry(ReadOnlySpan<char> s, int nameStart, int valueEnd)
    {
        const int Window = 256;
        var before = s[Math.Max(0, nameStart - Window)..nameStart];
        var open = before.LastIndexOfAny('{', '}');
        if (open >= 0 && before[open] == '{' && before[(open + 1)..].Contains("logprob", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var after = s[valueEnd..Math.Min(s.Length, valueEnd + Window)];
        var close = after.IndexOfAny('{', '}');
        return after[..(close < 0 ? after.Length : close)].Contains("logprob", StringComparison.OrdinalIgnoreCase);
    }

    // A name only matched by its suffix (MY_SERVICE_TOKEN) is trusted when its value looks generated.
    private static bool LooksLikeCredential(ReadOnlySpan<char> value)
    {
        if (value.Length < 8)
        {
            return false;
        }
        bool digit = false, upper = false, lower = false, other = false;
        foreach (var c in value)
        {
            digit |= char.IsAsciiDigit(c);
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            other |= !char.IsAsciiLetterOrDigit(c);
        }
        return (digit ? 1 : 0) + (upper ? 1 : 0) + (lower ? 1 : 0) + (other ? 1 : 0) >= 2;
    }

    // %OPENAI_API_KEY% — but not a URL-encoded value such as %2Bq9… (a SAS signature starting with '+').
    private static bool IsWindowsVariable(ReadOnlySpan<char> value) =>
        value.Length > 2 && value[0] == '%' && value[^1] == '%' && char.IsAsciiLetter(value[1]) && !value[1..^1].ContainsAnyExcept(VariableName);

    private static bool IsSchemeWord(ReadOnlySpan<char> word)
    {
        foreach (var scheme in AuthSchemes)
        {
            if (word.Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    // process.env.OPENAI_API_KEY, os.environ, self.api_key, import.meta.env.KEY: a lower-case root and hardly any
    // digits. A generated secret with a dot in it (bLLQPme.TSZ9Tj0F5T) is not code.
    private static bool IsDottedIdentifier(ReadOnlySpan<char> value)
    {
        var root = value.IndexOf('.');
        if (root <= 0 || value[..root].ContainsAnyExcept(LowerIdentifier) || CountDigits(value) > 2)
        {
            return false;
        }
        var dots = 0;
        var segmentStart = true;
        foreach (var c in value)
        {
            if (c == '.')
            {
                if (segmentStart)
                {
                    return false;
                }
                dots++;
                segmentStart = true;
            }
            else if (segmentStart ? char.IsAsciiLetter(c) || c is '_' or '$' : char.IsAsciiLetterOrDigit(c) || c is '_' or '$')
            {
                segmentStart = false;
            }
            else
            {
                return false;
            }
        }
        return dots > 0 && !segmentStart;
    }

    private static int CountDigits(ReadOnlySpan<char> value)
    {
        var count = 0;
        foreach (var c in value)
        {
            count += char.IsAsciiDigit(c) ? 1 : 0;
        }
        return count;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
