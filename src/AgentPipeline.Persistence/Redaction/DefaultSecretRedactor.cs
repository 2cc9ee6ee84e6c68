using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence;

/// <summary>
/// The built-in <see cref="ISecretRedactor"/>: replaces credentials in a JSON value by markers and leaves every
/// other byte as it was.
/// </summary>
/// <remarks>
/// <para><b>Marker format.</b> A removed value becomes the JSON string <c>[REDACTED:kind]</c>, where <c>kind</c>
/// (lower case, <c>a-z 0-9 . _ -</c>, at most 64 characters) says what was removed: the canonical secret name for
/// a named value (<c>authorization</c>, <c>api-key</c>, <c>set-cookie</c>, <c>password</c>, …; an extra or
/// suffix-matched name in lower case, e.g. <c>openai_api_key</c>), or the shape found inside a string
/// (<c>bearer-token</c>, <c>basic-credentials</c>, <c>openai-key</c>, <c>anthropic-key</c>, <c>openrouter-key</c>,
/// <c>google-api-key</c>, <c>google-oauth-token</c>, <c>aws-access-key-id</c>, <c>github-token</c>,
/// <c>slack-token</c>, <c>jwt</c>, <c>private-key</c>, <c>groq-key</c>, <c>xai-key</c>, <c>huggingface-token</c>,
/// <c>perplexity-key</c>, <c>replicate-token</c>, <c>openai-ephemeral-key</c>, <c>stripe-key</c>, <c>url-password</c>) or the query parameter
/// (<c>key</c>, <c>sig</c>, <c>token</c>, …). A marker never carries the secret or its length. Inside a string only
/// the secret is replaced: <c>"Bearer sk-…"</c> becomes <c>"Bearer [REDACTED:bearer-token]"</c>.</para>
/// <para><b>Named values.</b> The value of any object property, anywhere in the value, whose name is in
/// <see cref="BuiltInNames"/> or the extra names — compared in any letter case and ignoring <c>-</c> and <c>_</c>,
/// so <c>api_key</c>, <c>apiKey</c> and <c>API-KEY</c> are one name — or ends like a secret's
/// (<c>…api_key</c>, <c>…secret</c>, <c>…password</c>, <c>…private_key</c>, <c>…access_token</c>, …; in headers also
/// <c>…token</c>, <c>…authorization</c>). A string or number is replaced, each string or number of an array
/// (header arrays) is replaced, <c>null</c>, booleans and empty strings are kept, and an object is searched
/// rather than replaced (a tool's JSON schema may have a property called <c>password</c>), except that its
/// <c>value</c> property is replaced. Headers written as <c>[name, value]</c> pairs or <c>{name|key, value}</c>
/// entries are recognised too. The words <c>token</c>, <c>auth</c>, <c>credential(s)</c> and <c>bearer</c> name a
/// secret only sometimes: their string value goes only when it looks generated, and never in a log-probability
/// entry (an object with <c>logprob</c> or <c>top_logprobs</c>).</para>
/// <para><b>Inside strings.</b> Every string is searched for credential shapes (<c>Bearer</c>/<c>Basic</c>
/// credentials, <c>sk-…</c>, <c>sk-ant-…</c>, <c>AIza…</c>, <c>AKIA…</c>/<c>ASIA…</c>, <c>ghp_…</c>,
/// <c>github_pat_…</c>, <c>xox?-…</c>, OpenAI ephemeral keys <c>ek_…</c>, JWTs, PEM private keys, …), for
/// <c>name: value</c> / <c>name=value</c> / <c>"name": "value"</c> pairs whose name is a secret's (lines of headers,
/// <c>.env</c> files, logged requests; a name that is a secret's only by ending in <c>token</c> or
/// <c>authorization</c> counts only with a generated-looking value, and never inside a log-probability entry),
/// for query parameters (<c>?key=</c>, <c>&amp;api_key=</c>, <c>&amp;access_token=</c>, <c>&amp;sig=</c>,
/// <c>X-Amz-Signature=</c>, …) and for URL passwords (<c>https://user:password@host</c>). Shapes must look
/// generated (a long run mixing digits and letters), so ids such as <c>chatcmpl-…</c>, <c>msg_…</c>,
/// <c>toolu_…</c>, hashes, UUIDs, words and base64 data are left alone.</para>
/// <para><b>Everything else is untouched</b>: when nothing is found the same <see cref="JsonElement"/> is returned
/// without copying; otherwise only the replaced values' bytes change — key order, whitespace, escapes and
/// numbers (any precision) stay byte for byte. Nesting of any depth is handled without recursion.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class DefaultSecretRedactor : ISecretRedactor
{
    /// <summary>The text every marker starts with: a marker is <c>[REDACTED:kind]</c>.</summary>
    public const string MarkerPrefix = Marker.Prefix;

    [ThreadStatic]
    private static Stack<Frame>? t_frames;

    private readonly SecretNameSet _names;

    /// <summary>The scan that lets a value without secrets skip the walk; null when the extra names rule it out.</summary>
    internal SecretPrescan? Prescan { get; }

    /// <summary>A redactor for the built-in names only.</summary>
    public DefaultSecretRedactor()
        : this(null)
    {
    }

    /// <summary>A redactor for the built-in names and <paramref name="extraNames"/>.</summary>
    /// <param name="extraNames">Further header or field names whose values are secrets (any case; <c>-</c> and <c>_</c> ignored).</param>
    /// <exception cref="ArgumentException">A name is null, blank, only dashes and underscores, or longer than 128 characters.</exception>
    public DefaultSecretRedactor(IEnumerable<string>? extraNames)
    {
        _names = new SecretNameSet(extraNames);
        Prescan = SecretPrescan.Create(_names);
    }

    /// <summary>
    /// The header and field names whose values are always secrets: authorization, proxy-authorization, x-api-key,
    /// api-key (also apikey, api_key, apiKey), x-goog-api-key, cookie, set-cookie, access_token, refresh_token,
    /// id_token, client_secret, secret_key, password, private_key, aws_secret_access_key, secret_access_key,
    /// x-amz-security-token, session_token, x-auth-token, auth_token, ocp-apim-subscription-key, x-functions-key,
    /// account_key, shared_access_key.
    /// </summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = Array.AsReadOnly(SecretNameSet.BuiltIn.Select(n => n.Name).ToArray());

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="value"/> is undefined (<c>default(JsonElement)</c>).</exception>
    /// <exception cref="ObjectDisposedException">The document <paramref name="value"/> belongs to has been disposed.</exception>
    public JsonElement Redact(JsonElement value, RedactionContext context)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The value is an undefined JsonElement (default(JsonElement)).", nameof(value));
        }
        // Most values (headers, bodies, metadata) hold no secret: one scan of the raw bytes proves it, and the value
        // goes back as it came, without walking its tree.
        return Prescan is { } prescan && !prescan.MayContainSecret(JsonMarshal.GetRawUtf8Value(value))
            ? value
            : RedactByWalking(value, context);
    }

    /// <summary>
    /// The full walk: every property name and string of <paramref name="value"/> examined, whatever the pre-scan says
    /// (what <see cref="Redact"/> does when the pre-scan finds something that might be a secret).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is undefined.</exception>
    internal JsonElement RedactByWalking(JsonElement value, RedactionContext context)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The value is an undefined JsonElement (default(JsonElement)).", nameof(value));
        }
        var root = JsonMarshal.GetRawUtf8Value(value);
        List<Splice>? splices = null;
        var maxDepth = 0;
        var frames = t_frames ?? new Stack<Frame>();
        t_frames = null;
        try
        {
            frames.Push(new Frame(value, 0, null, context.IsHeaders));
            while (frames.TryPop(out var frame))
            {
                var element = frame.Element;
                switch (element.ValueKind)
                {
                    case JsonValueKind.Object:
                        maxDepth = Math.Max(maxDepth, frame.Depth + 1);
                        VisitObject(frame, frames);
                        break;
                    case JsonValueKind.Array:
                        maxDepth = Math.Max(maxDepth, frame.Depth + 1);
                        VisitArray(frame, frames);
                        break;
                    case JsonValueKind.String when frame.SecretKind is { } kind:
                        var content = JsonMarshal.GetRawUtf8Value(element)[1..^1];
                        if (!content.IsEmpty && !Marker.IsMarker(content) && (!frame.Weak || LooksRandom(element)))
                        {
                            AddSplice(root, element, MarkerJson(kind), ref splices);
                        }
                        else if (frame.Weak)
                        {
                            ScanString(root, element, ref splices);
                        }
                        break;
                    case JsonValueKind.String:
                        ScanString(root, element, ref splices);
                        break;
                    case JsonValueKind.Number when frame.SecretKind is { } kind && !frame.Weak:
                        AddSplice(root, element, MarkerJson(kind), ref splices);
                        break;
                }
            }
        }
        finally
        {
            frames.Clear();
            t_frames = frames;
        }
        return splices is null ? value : Rebuild(root, splices, maxDepth);
    }

    /// <summary>
    /// Whether the walk of <paramref name="root"/> (an object, redacted as a whole in a context that is not headers)
    /// visits each of its property values, and each item of a property value that is an array, on its own: with no
    /// secret name, header scope or log-probability rule above it. Then redacting the whole gives, byte for byte, the
    /// root with each such value replaced by what <see cref="Redact"/> gives for it alone (property names are never
    /// changed), which lets a caller redact only the values that are new (<c>ContentStore.TryPrepare</c>).
    /// </summary>
    internal bool ChildrenRedactAlone(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        var small = root.GetPropertyCount() <= 6;
        foreach (var property in root.EnumerateObject())
        {
            var child = property.Value;
            // The cases of VisitObject that give a child a context: a {name|key, value} entry, a secret's name, a
            // headers object, a top_logprobs list.
            if ((small && child.ValueKind == JsonValueKind.String && (NameIs(property, "name"u8) || NameIs(property, "key"u8))
                    && TryMatchString(child, NameScope.Body, out _))
                || TryMatchName(property, NameScope.Body, out _)
                || (child.ValueKind is JsonValueKind.Object or JsonValueKind.Array && NameEndsWithHeaders(property))
                || (child.ValueKind == JsonValueKind.Array && NameIs(property, "top_logprobs"u8)))
            {
                return false;
            }
        }
        return true;
    }

    private void VisitObject(Frame frame, Stack<Frame> frames)
    {
        if (frame.TokenKeys)
        {
            // {" toppings": -0.77, "password": -2.1}: the legacy completions API's alternatives, keyed by model output.
            foreach (var property in frame.Element.EnumerateObject())
            {
                Push(frames, property.Value, frame.Depth + 1, null, frame.Headers);
            }
            return;
        }
        var scope = frame.Headers ? NameScope.Header : NameScope.Body;
        // {name|key: "Authorization", value: "…"} (HAR, Postman, SDK header lists); and the value of an object that
        // sits under a secret's name ({"client_secret": {"value": "…", "expires_at": …}}).
        var valueKind = frame.SecretKind;
        var valueWeak = frame.Weak;
        if (valueKind is null && frame.Element.GetPropertyCount() <= 6)
        {
            foreach (var property in frame.Element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && (NameIs(property, "name"u8) || NameIs(property, "key"u8))
                    && TryMatchString(property.Value, scope, out var entry))
                {
                    valueKind = entry.Kind!;
                    valueWeak = entry.Weak;
                    break;
                }
            }
        }
        foreach (var property in frame.Element.EnumerateObject())
        {
            var child = property.Value;
            string? kind = null;
            var weak = false;
            if (TryMatchName(property, scope, out var match) && !(match.Weak && IsLogprobEntry(frame.Element)))
            {
                kind = match.Kind!;
                weak = match.Weak;
            }
            else if (valueKind is not null && NameIs(property, "value"u8))
            {
                kind = valueKind;
                weak = valueWeak;
            }
            var headers = frame.Headers || (child.ValueKind is JsonValueKind.Object or JsonValueKind.Array && NameEndsWithHeaders(property));
            if (kind is null && child.ValueKind == JsonValueKind.Array && NameIs(property, "top_logprobs"u8))
            {
                foreach (var item in child.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        frames.Push(new Frame(item, frame.Depth + 2, null, headers, TokenKeys: IsTokenMap(item)));
                    }
                }
                continue;
            }
            Push(frames, child, frame.Depth + 1, kind, headers, weak);
        }
    }

    // An alternative of the legacy completions API ({" toppings": -0.77}) rather than of chat completions
    // ({"token": " toppings", "logprob": -0.77, …}): every value a number.
    private static bool IsTokenMap(JsonElement item)
    {
        foreach (var property in item.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number)
            {
                return false;
            }
        }
        return true;
    }

    private void VisitArray(Frame frame, Stack<Frame> frames)
    {
        var array = frame.Element;
        if (frame.SecretKind is { } kind)
        {
            foreach (var item in array.EnumerateArray())
            {
                Push(frames, item, frame.Depth + 1, item.ValueKind is JsonValueKind.String or JsonValueKind.Number ? kind : null, frame.Headers, frame.Weak);
            }
            return;
        }
        // ["authorization", "Bearer …"]: a header as a name/value pair (fetch Headers entries). Only where header names
        // are expected: in a body, ["password", "host"] is the "required" list of a tool's JSON schema.
        if (frame.Headers && array.GetArrayLength() == 2 && array[0].ValueKind == JsonValueKind.String
            && TryMatchString(array[0], NameScope.Header, out var pair))
        {
            Push(frames, array[0], frame.Depth + 1, null, frame.Headers);
            Push(frames, array[1], frame.Depth + 1, array[1].ValueKind is JsonValueKind.String or JsonValueKind.Number ? pair.Kind! : null, frame.Headers, pair.Weak);
            return;
        }
        foreach (var item in array.EnumerateArray())
        {
            Push(frames, item, frame.Depth + 1, null, frame.Headers);
        }
    }

    private static void Push(Stack<Frame> frames, JsonElement element, int depth, string? secretKind, bool headers, bool weak = false)
    {
        // Numbers, booleans and null can only matter as a secret's value.
        if (element.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String || secretKind is not null)
        {
            frames.Push(new Frame(element, depth, secretKind, headers, weak));
        }
    }

    private void ScanString(ReadOnlySpan<byte> root, JsonElement element, ref List<Splice>? splices)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var content = raw[1..^1];
        if (content.Length < 4)
        {
            return;
        }
        var buffer = ArrayPool<char>.Shared.Rent(content.Length);
        try
        {
            var escaped = content.IndexOf((byte)'\\') >= 0;
            var chars = Decode(raw, escaped, buffer);
            if (SecretText.Find(chars, _names) is not { } hits)
            {
                return;
            }
            // Unescaped text keeps its bytes outside the hits; escaped text is written back with minimal escaping.
            // A byte-exact splice needs the decoded text to map back onto the bytes one to one.
            escaped |= Encoding.UTF8.GetByteCount(chars) != content.Length;
            var replacement = escaped
                ? EncodeQuoted(SecretText.Replace(chars, hits))
                : SecretText.ReplaceUtf8Quoted(content, chars, hits);
            AddSplice(root, element, replacement, ref splices);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static bool LooksRandom(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var buffer = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            return SecretText.LooksRandom(Decode(raw, raw.IndexOf((byte)'\\') >= 0, buffer));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    // A JSON string token (quotes included) decoded into buffer, without allocating; the decoded text is never
    // longer in chars than the token is in bytes. A lone surrogate escape (a truncated emoji), which
    // System.Text.Json refuses to decode, is kept as that char.
    private static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> quoted, bool escaped, char[] buffer)
    {
        if (!escaped)
        {
            return buffer.AsSpan(0, Encoding.UTF8.GetChars(quoted[1..^1], buffer));
        }
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        try
        {
            return buffer.AsSpan(0, reader.CopyString(buffer));
        }
        catch (InvalidOperationException)
        {
            var text = DbJson.Unescape(quoted[1..^1], escaped: true);
            text.CopyTo(buffer);
            return buffer.AsSpan(0, text.Length);
        }
    }

    // The replaced text as a JSON string token: minimal escaping, any lone surrogate as its \u escape
    // (JsonEncodedText refuses invalid UTF-16).
    private static byte[] EncodeQuoted(string text)
    {
        foreach (var c in text)
        {
            if (char.IsSurrogate(c))
            {
                return DbJson.QuoteLenient(text);
            }
        }
        return Quote(JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes);
    }

    private bool TryMatchName(JsonProperty property, NameScope scope, out NameMatch match)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return TryMatchUtf8(raw, scope, out match) ?? _names.TryMatch(DbJson.Unescape(raw, escaped: true), scope, out match);
    }

    private bool TryMatchString(JsonElement element, NameScope scope, out NameMatch match)
    {
        var content = JsonMarshal.GetRawUtf8Value(element)[1..^1];
        return TryMatchUtf8(content, scope, out match) ?? _names.TryMatch(DbJson.Unescape(content, escaped: true), scope, out match);
    }

    // Decodes on the stack; null when the text is escaped or too long for that (the caller decodes it the slow way).
    private bool? TryMatchUtf8(ReadOnlySpan<byte> raw, NameScope scope, out NameMatch match)
    {
        match = default;
        if (raw.Length > 2 * SecretNameSet.MaxNameLength)
        {
            return false;
        }
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            return null;
        }
        Span<char> chars = stackalloc char[2 * SecretNameSet.MaxNameLength];
        var length = Encoding.UTF8.GetChars(raw, chars);
        return _names.TryMatch(chars[..length], scope, out match);
    }

    // {"token":" toppings","logprob":-0.77,"bytes":[…],"top_logprobs":[…]}: its token is model output, never a key.
    private static bool IsLogprobEntry(JsonElement element)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (NameIs(property, "logprob"u8) || NameIs(property, "top_logprobs"u8))
            {
                return true;
            }
        }
        return false;
    }

    private static bool NameIs(JsonProperty property, ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(JsonMarshal.GetRawUtf8PropertyName(property), name);

    // headers, requestHeaders, response_headers, httpHeaders: what is inside is named by HTTP header names.
    private static bool NameEndsWithHeaders(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return raw.Length >= 7 && Ascii.EqualsIgnoreCase(raw[^7..], "headers"u8);
    }

    // "[REDACTED:kind]" with its quotes, as UTF-8, in one allocation.
    private static byte[] MarkerJson(string kind)
    {
        var json = new byte[Marker.Utf8Length(kind) + 2];
        json[0] = json[^1] = (byte)'"';
        Marker.WriteUtf8(kind, json.AsSpan(1));
        return json;
    }

    private static byte[] Quote(ReadOnlySpan<byte> encoded)
    {
        var quoted = new byte[encoded.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        encoded.CopyTo(quoted.AsSpan(1));
        return quoted;
    }

    private static void AddSplice(ReadOnlySpan<byte> root, JsonElement element, byte[] replacement, ref List<Splice>? splices)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        // Every element's bytes lie inside its document's buffer, so its offset in the root's bytes is exact.
        // Should that ever not hold, fail the write rather than store the secret.
        if (!root.Overlaps(raw, out var offset) || offset < 0 || offset + raw.Length > root.Length)
        {
            throw new InvalidOperationException("Secret redaction could not locate a value inside its JSON document; nothing was written.");
        }
        (splices ??= []).Add(new Splice(offset, raw.Length, replacement));
    }

    private static JsonElement Rebuild(ReadOnlySpan<byte> root, List<Splice> splices, int maxDepth)
    {
        splices.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        var length = root.Length;
        foreach (var splice in splices)
        {
            length += splice.Replacement.Length - splice.Length;
        }
        var output = new byte[length];
        int read = 0, written = 0;
        foreach (var splice in splices)
        {
            root[read..splice.Offset].CopyTo(output.AsSpan(written));
            written += splice.Offset - read;
            splice.Replacement.CopyTo(output.AsSpan(written));
            written += splice.Replacement.Length;
            read = splice.Offset + splice.Length;
        }
        root[read..].CopyTo(output.AsSpan(written));
        var reader = new Utf8JsonReader(output, new JsonReaderOptions { MaxDepth = Math.Max(64, maxDepth + 1) });
        return JsonElement.ParseValue(ref reader);
    }

    private readonly record struct Frame(JsonElement Element, int Depth, string? SecretKind, bool Headers, bool Weak = false, bool TokenKeys = false);

    private readonly record struct Splice(int Offset, int Length, byte[] Replacement);
}
