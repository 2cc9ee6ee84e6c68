namespace AgentPipeline.Persistence;

/// <summary>
/// How the store removes credentials from the JSON columns <c>response_headers</c>, <c>request_body</c>,
/// <c>response_body</c> and <c>provider_metadata</c> before writing them. Redaction is on by default.
/// </summary>
/// <remarks>
/// Every removed value is replaced by a marker <c>[REDACTED:kind]</c> (see <see cref="DefaultSecretRedactor"/>),
/// so a reader sees that something was removed and what kind of thing it was, never the secret or its length.
/// Configure the options before the <see cref="PipelineDb"/> is opened; changing them afterwards is not
/// thread-safe.
/// </remarks>
public sealed class SecretRedactionOptions
{
    private readonly object _gate = new();
    private string[]? _cachedNames;
    private DefaultSecretRedactor? _cachedRedactor;

    /// <summary>Whether values are redacted at all. Default <see langword="true"/>; <see langword="false"/> stores them exactly as given.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Further header or field names whose values are secrets, on top of
    /// <see cref="DefaultSecretRedactor.BuiltInNames"/>. Matched as the built-in names are: in any letter case and
    /// ignoring <c>-</c> and <c>_</c>, so <c>X-Internal-Token</c> also matches <c>x_internal_token</c> and
    /// <c>xInternalToken</c>. The marker's kind is the name in lower case. Ignored when
    /// <see cref="CustomRedactor"/> is set.
    /// </summary>
    public IList<string> ExtraNames { get; } = new List<string>();

    /// <summary>
    /// A redactor that replaces the default one entirely (<see cref="ExtraNames"/> is then ignored; wrap a
    /// <see cref="DefaultSecretRedactor"/> to extend rather than replace). <see langword="null"/> (the default)
    /// uses <see cref="DefaultSecretRedactor"/>. Not called when <see cref="Enabled"/> is <see langword="false"/>.
    /// </summary>
    public ISecretRedactor? CustomRedactor { get; set; }

    /// <summary>
    /// The redactor these options describe right now, or <see langword="null"/> when redaction is off. The default
    /// redactor is built once per distinct <see cref="ExtraNames"/> list and reused.
    /// </summary>
    /// <exception cref="ArgumentException">An entry of <see cref="ExtraNames"/> is null, blank or only dashes and underscores.</exception>
    internal ISecretRedactor? CreateRedactor()
    {
        if (!Enabled)
        {
            return null;
        }
        if (CustomRedactor is { } custom)
        {
            return custom;
        }
        lock (_gate)
        {
            if (_cachedRedactor is null || _cachedNames is null || !SameNames(_cachedNames, ExtraNames))
            {
                var names = ExtraNames.ToArray();
                _cachedRedactor = new DefaultSecretRedactor(names);
                _cachedNames = names;
            }
            return _cachedRedactor;
        }
    }

    private static bool SameNames(string[] cached, IList<string> current)
    {
        if (cached.Length != current.Count)
        {
            return false;
        }
        for (var i = 0; i < cached.Length; i++)
        {
            if (!string.Equals(cached[i], current[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
