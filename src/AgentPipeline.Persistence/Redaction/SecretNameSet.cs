using System.Collections.Frozen;

namespace AgentPipeline.Persistence.Redaction;

/// <summary>Where a name was found; each place trusts a different set of heuristics.</summary>
internal enum NameScope
{
    /// <summary>A property name in a request/response body or provider metadata.</summary>
    Body,

    /// <summary>An HTTP header name: a property of <c>response_headers</c> or of a <c>…headers</c> object, a name/value entry.</summary>
    Header,

    /// <summary>A <c>name: value</c> or <c>name=value</c> pair inside a string.</summary>
    Text,

    /// <summary>A query-string parameter (<c>?name=value</c> or <c>&amp;name=value</c>) inside a string.</summary>
    Query,
}

/// <summary>A name found to be a secret's: the marker kind, and whether only a suffix heuristic matched.</summary>
/// <param name="Kind">The marker kind; null for a suffix match asked not to resolve it (it is the name, sanitised).</param>
/// <param name="Heuristic">Only a suffix matched: in text the value must also look like a credential.</param>
/// <param name="LineValue">Written as <c>Name: value</c> in text, the value runs to the end of the line (Authorization, Cookie).</param>
/// <param name="Weak">A word that names a secret only sometimes (<c>token</c>): the value counts only when it looks generated.</param>
internal readonly record struct NameMatch(string? Kind, bool Heuristic, bool LineValue, bool Weak = false);

/// <summary>
/// The secret names, compared after normalisation: lower case, without <c>-</c> and <c>_</c>, so
/// <c>api_key</c>, <c>apiKey</c>, <c>API-KEY</c> are one name and <c>X-Api-Key</c>, <c>xApiKey</c> another.
/// </summary>
internal sealed class SecretNameSet
{
    /// <summary>Normalised names longer than this never match (they are not header or field names anyone uses for keys).</summary>
    public const int MaxNameLength = 128;

    // (name as documented, marker kind). The kind is the canonical spelling, so apiKey and API-KEY both read "api-key".
    internal static readonly (string Name, string Kind)[] BuiltIn =
    [
        ("authorization", "authorization"), ("proxy-authorization", "proxy-authorization"),
        ("x-api-key", "x-api-key"), ("api-key", "api-key"), ("x-goog-api-key", "x-goog-api-key"),
        ("cookie", "cookie"), ("set-cookie", "set-cookie"),
        ("access_token", "access-token"), ("refresh_token", "refresh-token"), ("id_token", "id-token"),
        ("client_secret", "client-secret"), ("secret_key", "secret-key"), ("password", "password"),
        ("private_key", "private-key"), ("aws_secret_access_key", "aws-secret-access-key"),
        ("secret_access_key", "secret-access-key"), ("x-amz-security-token", "x-amz-security-token"),
        ("session_token", "session-token"), ("x-auth-token", "x-auth-token"), ("auth_token", "auth-token"),
        ("ocp-apim-subscription-key", "ocp-apim-subscription-key"), ("x-functions-key", "x-functions-key"),
        ("account_key", "account-key"), ("shared_access_key", "shared-access-key"),
    ];

    // Only as query-string parameters: as JSON fields these words are everyday data ("key", "token" of logprobs, …).
    private static readonly (string Name, string Kind)[] QueryOnly =
    [
        ("key", "key"), ("sig", "sig"), ("signature", "signature"), ("token", "token"), ("auth", "auth"),
        ("x-amz-signature", "x-amz-signature"), ("x-amz-credential", "x-amz-credential"),
    ];

    // As JSON field names these hold a credential only sometimes ({"type": "bearer", "token": "…"} but also the
    // "token" of a logprob): their string value is removed only when it looks generated.
    private static readonly (string Name, string Kind)[] Weak =
        [("token", "token"), ("auth", "auth"), ("credential", "credential"), ("credentials", "credentials"), ("bearer", "bearer")];

    // Names ending like these hold secrets wherever they appear (openai_api_key, webhookSecret, db_password, …).
    private static readonly string[] AnySuffixes =
        ["apikey", "secret", "password", "passwd", "privatekey", "secretkey", "accesstoken", "refreshtoken", "sessiontoken", "authtoken"];

    // In headers and in text a trailing "token" or "authorization" is a credential too (x-csrf-token, GITHUB_TOKEN=…);
    // in bodies it is not (eos_token, next_page_token, the token of a logprob).
    private static readonly string[] HeaderSuffixes = ["token", "authorization"];

    // Values that run to the end of the line when written as "Name: value" in text.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> LineValued =
        FrozenSet.ToFrozenSet(["authorization", "proxyauthorization", "cookie", "setcookie"], StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _query;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _weak =
        Weak.ToFrozenDictionary(w => w.Name, w => w.Kind, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    public SecretNameSet(IEnumerable<string>? extraNames)
    {
        var exact = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, kind) in BuiltIn)
        {
            exact[Normalize(name)] = kind;
        }
        foreach (var extra in extraNames ?? [])
        {
            if (string.IsNullOrWhiteSpace(extra))
            {
                throw new ArgumentException("An extra secret name is null or blank.", nameof(extraNames));
            }
            var normalized = Normalize(extra);
            if (normalized.Length == 0 || normalized.Length > MaxNameLength)
            {
                throw new ArgumentException(
                    $"The extra secret name '{extra}' must have between 1 and {MaxNameLength} characters besides '-' and '_'.", nameof(extraNames));
            }
            exact.TryAdd(normalized, Marker.SanitizeKind(extra));
        }
        var query = new Dictionary<string, string>(exact, StringComparer.Ordinal);
        foreach (var (name, kind) in QueryOnly)
        {
            query.TryAdd(Normalize(name), kind);
        }
        WholeNames = [.. query.Keys.Concat(Weak.Select(w => Normalize(w.Name))).Distinct(StringComparer.Ordinal)];
        _exact = exact.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _query = query.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Every normalised ending that makes a name a secret's in some scope (<c>apikey</c>, <c>secret</c>, <c>token</c>, …):
    /// a name that matches without being one of <see cref="WholeNames"/> ends with one of these.
    /// </summary>
    public static IEnumerable<string> Endings => AnySuffixes.Concat(HeaderSuffixes);

    /// <summary>
    /// Every normalised name that matches as a whole in some scope: the built-in and extra names, the query-only
    /// names (<c>key</c>, <c>sig</c>, …) and the weak ones (<c>token</c>, <c>auth</c>, …).
    /// </summary>
    public IReadOnlyList<string> WholeNames { get; }

    /// <summary>
    /// Whether <paramref name="name"/> (as written) names a secret in <paramref name="scope"/>. With
    /// <paramref name="resolveKind"/> false a suffix match leaves <see cref="NameMatch.Kind"/> null rather than
    /// allocate it (the caller may still reject the value).
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> name, NameScope scope, out NameMatch match, bool resolveKind = true)
    {
        match = default;
        if (name.IsEmpty || name.Length > 2 * MaxNameLength)
        {
            return false;
        }
        Span<char> buffer = stackalloc char[2 * MaxNameLength];
        var length = 0;
        foreach (var c in name)
        {
            if (c is '-' or '_')
            {
                continue;
            }
            buffer[length++] = char.ToLowerInvariant(c);
        }
        if (length == 0 || length > MaxNameLength)
        {
            return false;
        }
        var normalized = buffer[..length];
        var table = scope == NameScope.Query ? _query : _exact;
        if (table.TryGetValue(normalized, out var kind))
        {
            match = new NameMatch(kind, Heuristic: false, LineValue: IsLineValued(normalized));
            return true;
        }
        if (EndsWithAny(normalized, AnySuffixes))
        {
            match = new NameMatch(resolveKind ? Marker.SanitizeKind(name) : null, Heuristic: true, LineValue: false);
            return true;
        }
        if (scope is NameScope.Header or NameScope.Text && EndsWithAny(normalized, HeaderSuffixes))
        {
            // In text "token" is also the field of every log-probability entry ({"token":" toppings","logprob":-0.77}):
            // there a value counts only when it looks generated.
            match = new NameMatch(resolveKind ? Marker.SanitizeKind(name) : null, Heuristic: true, LineValue: false, Weak: scope == NameScope.Text);
            return true;
        }
        if (scope is NameScope.Body or NameScope.Header && _weak.TryGetValue(normalized, out kind))
        {
            match = new NameMatch(kind, Heuristic: true, LineValue: false, Weak: true);
            return true;
        }
        return false;
    }

    /// <summary>Lower case without <c>-</c> and <c>_</c>: the form names are compared in.</summary>
    public static string Normalize(string name)
    {
        var chars = new char[name.Length];
        var length = 0;
        foreach (var c in name)
        {
            if (c is not ('-' or '_'))
            {
                chars[length++] = char.ToLowerInvariant(c);
            }
        }
        return new string(chars, 0, length);
    }

    private static bool IsLineValued(ReadOnlySpan<char> normalized) => LineValued.Contains(normalized);

    private static bool EndsWithAny(ReadOnlySpan<char> normalized, string[] suffixes)
    {
        foreach (var suffix in suffixes)
        {
            if (normalized.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
