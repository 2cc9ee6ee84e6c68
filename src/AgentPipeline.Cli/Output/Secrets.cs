using System.Text.RegularExpressions;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// Hides passwords in anything the CLI prints: the <c>Password=</c> / <c>Pwd=</c> value of a
/// key-value connection string and the <c>user:secret@</c> part of a <c>postgresql://</c> URI.
/// </summary>
internal static partial class Secrets
{
    public const string Mask = "***";

    /// <summary>
    /// <paramref name="text"/> with every password replaced by <see cref="Mask"/>: those written
    /// in connection-string or URI form, and <paramref name="target"/>'s own password wherever it
    /// appears (a provider may quote it without its key).
    /// </summary>
    public static string Hide(string text, string? target = null) => Hide(text, [target]);

    /// <summary>Like <see cref="Hide(string, string?)"/>, hiding the passwords of each of <paramref name="sources"/> (targets, command-line arguments).</summary>
    public static string Hide(string text, IEnumerable<string?> sources)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        // Longest first, so a password that contains another is hidden whole.
        foreach (var secret in sources.OfType<string>().SelectMany(PasswordsIn).Distinct().OrderByDescending(p => p.Length))
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        text = KeyValuePassword().Replace(text, m => m.Groups["key"].Value + Mask);
        return UriPassword().Replace(text, m => m.Groups["prefix"].Value + Mask + "@");
    }

    /// <summary>The passwords written in <paramref name="target"/>, in either form; empty ones are left out.</summary>
    public static IEnumerable<string> PasswordsIn(string target)
    {
        foreach (Match m in KeyValuePassword().Matches(target))
        {
            var value = m.Groups["value"].Value.Trim().Trim('"', '\'');
            if (value.Length > 0 && value != Mask)
            {
                yield return value;
            }
        }
        foreach (Match m in UriPassword().Matches(target))
        {
            var value = m.Groups["value"].Value;
            if (value.Length > 0 && value != Mask)
            {
                yield return value;
                // The URI form may percent-encode it; a provider's message may quote it decoded.
                var decoded = Uri.UnescapeDataString(value);
                if (decoded != value)
                {
                    yield return decoded;
                }
            }
        }
    }

    /// <summary><c>Password=…</c> or <c>Pwd=…</c> up to the next <c>;</c> (or a quoted value), any case, spaces allowed around <c>=</c>.</summary>
    [GeneratedRegex("""(?<key>\b(?:password|pwd)\s*=\s*)(?<value>"[^"]*"|'[^']*'|[^;]*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValuePassword();

    /// <summary>The <c>user:secret@</c> of a URI's authority: <c>scheme://user:secret@host</c>.</summary>
    [GeneratedRegex("""(?<prefix>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?<value>[^@/?#\s]*)@""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();
}
