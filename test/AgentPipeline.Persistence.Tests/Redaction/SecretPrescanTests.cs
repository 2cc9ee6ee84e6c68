using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>
/// The pre-scan that lets a value without secrets skip the full walk: it must never skip a value the walk would
/// change (so the redactor's result is always the walk's), and it must let ordinary model traffic through untouched.
/// </summary>
public sealed class SecretPrescanTests
{
    private static readonly RedactionContext Body = new("agent_steps", "response_body");
    private static readonly RedactionContext Request = new("agent_invocations", "request_body");
    private static readonly RedactionContext Headers = new("agent_steps", "response_headers");
    private static readonly RedactionContext Metadata = new("agent_steps", "provider_metadata");
    private static readonly DefaultSecretRedactor Redactor = new();

    // What a model SDK hands over on a step: no secret anywhere.
    public static readonly TheoryData<string, string> CleanPayloads = new()
    {
        { "response_headers", """{"content-type":"application/json","request-id":"req_011CV9xq3bdHzYtEUm1Vv1dK","anthropic-ratelimit-requests-remaining":"3999","anthropic-ratelimit-tokens-remaining":"398000","anthropic-ratelimit-tokens-reset":"2025-11-04T10:12:34Z","x-envoy-upstream-service-time":"2143","cf-ray":"99a1b2c3d4e5f607-FRA"}""" },
        { "response_headers", """{"date":"Tue, 04 Nov 2025 10:12:33 GMT","openai-organization":"user-k2x9f7d1","openai-processing-ms":"1843","openai-version":"2020-10-01","x-ratelimit-limit-requests":"10000","x-ratelimit-remaining-tokens":"1998765","x-ratelimit-reset-tokens":"36ms","x-request-id":"req_5f1c2a9be3d04e7f8a6b1c2d3e4f5a6b","strict-transport-security":"max-age=31536000; includeSubDomains; preload","alt-svc":"h3=\":443\"; ma=86400"}""" },
        { "response_body", """{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"I will add the CSV export next to the Excel export.\nFirst I read the page."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"read","input":{"path":"src/Orders/OrdersPage.tsx"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":1840,"output_tokens":412,"cache_creation_input_tokens":0,"cache_read_input_tokens":12288}}""" },
        { "response_body", """{"id":"chatcmpl-CXk3Lb7QmPz9RfT2uVw8yA1nE4dG","object":"chat.completion","created":1762251153,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"Done: the export reuses the filtered query.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1234,"completion_tokens":56,"total_tokens":1290,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_b3f1157249"}""" },
        { "request_body", """{"model":"claude-sonnet-4-5","max_tokens":8192,"temperature":0,"stream":false,"system":[{"type":"text","text":"You are the coder agent. Work in small, verified steps.","cache_control":{"type":"ephemeral"}}],"tools":[{"name":"read","description":"Read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}],"messages":[{"role":"user","content":[{"type":"text","text":"Add CSV export to the orders page. Keep the public API unchanged."}]}],"metadata":{"user_id":"0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40"}}""" },
        { "request_body", """{"model":"gpt-5","input":[{"role":"user","content":[{"type":"input_text","text":"Open a PR for the CSV export."}]}],"previous_response_id":"resp_68b1f0c2d4e6a8b0c2d4e6f8a0b2c4d6","reasoning":{"effort":"medium","summary":"auto"},"prompt_cache_key":"coder-v3","max_output_tokens":32000,"store":true}""" },
        { "provider_metadata", """{"anthropic":{"cacheCreationInputTokens":0,"cacheReadInputTokens":12288,"container":null},"openai":{"responseId":"resp_68b1","reasoningTokens":-1.5e3}}""" },
    };

    [Theory]
    [MemberData(nameof(RedactionCorpus.Names), MemberType = typeof(RedactionCorpus))]
    public void A_corpus_sample_redacts_exactly_as_the_full_walk_does(string name)
    {
        var sample = RedactionCorpus.Get(name);
        using var document = JsonDocument.Parse(RedactionCorpus.Materialize(sample).Json);
        AssertAsTheWalk(Redactor, document.RootElement, sample.Context);
        // With extra names too (they add whole names to look for).
        AssertAsTheWalk(new DefaultSecretRedactor(["X-Internal-Token", "tenant_pin", "DbPwd2"]), document.RootElement, sample.Context);
    }

    [Theory]
    [MemberData(nameof(CleanPayloads))]
    public void Ordinary_model_traffic_skips_the_walk_and_comes_back_as_the_same_element(string column, string json)
    {
        using var document = JsonDocument.Parse(json);
        var value = document.RootElement;
        var context = new RedactionContext("agent_steps", column);
        Assert.False(Redactor.Prescan!.MayContainSecret(JsonMarshal.GetRawUtf8Value(value)), "the pre-scan suspected a secret");
        Assert.Equal(value.GetRawText(), Redactor.RedactByWalking(value, context).GetRawText()); // and truly has none

        Redactor.Redact(value, context); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            RedactionCorpusTests.AssertSameMemory(value, Redactor.Redact(value, context));
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_clean_value_larger_than_one_scan_chunk_skips_the_walk()
    {
        // Fragments of names are searched chunk by chunk: one sitting across every possible chunk border must be found.
        var filler = new StringBuilder("""{"text":" """);
        filler.Append('x', 3000);
        filler.Append("\"}");
        using var clean = JsonDocument.Parse(filler.ToString());
        Assert.False(Redactor.Prescan!.MayContainSecret(JsonMarshal.GetRawUtf8Value(clean.RootElement)));
        for (var pad = 990; pad < 1060; pad++)
        {
            var json = "{\"" + new string('a', pad) + "\":1,\"password\":\"hunter2x\"}";
            using var document = JsonDocument.Parse(json);
            var redacted = Redactor.Redact(document.RootElement, Body).GetRawText();
            Assert.EndsWith("\"password\":\"[REDACTED:password]\"}", redacted, StringComparison.Ordinal);
        }
    }

    [Theory]
    // Names spelt with JSON escapes: the raw bytes never hold the name.
    [InlineData("""{"\u0061uthorization":"Bearer abc123def456ghi"}""", "authorization")]
    [InlineData("""{"api\u005fkey":"v4lue-not-shaped"}""", "api-key")]
    [InlineData("""{"PASS\u0057ORD":"hunter2"}""", "password")]
    [InlineData("""{"note":"cookie\u003a sid=abc123"}""", "cookie")]
    [InlineData("""{"url":"https:\/\/svc:p4ssw0rd@db.internal\/x"}""", "url-password")]
    // Mixed case and separators inside the word.
    [InlineData("""{"AuThOrIzAtIoN":"Basic dXNlcjpwYXNzd29yZA=="}""", "authorization")]
    [InlineData("""{"a_p_i_k_e_y":"v4lue"}""", "api-key")]
    [InlineData("""{"pass-word_":"hunter2"}""", "password")]
    [InlineData("""{"Set_Cookie":["a=1","b=2"]}""", "set-cookie")]
    [InlineData("""{"x-Csrf-To-Ken":"abc123XYZ789def"}""", "x-csrf-to-ken")]
    [InlineData("""{"my_db_PASS-WD":"Zx8Kq2Lm9Np4"}""", "my_db_pass-wd")]
    // A name only after an escape letter (\n): the raw run is "ncookie".
    [InlineData("""{"log":"GET /\ncookie: sid=abc123"}""", "cookie")]
    [InlineData("""{"log":"line\tAuthorization: Bearer abc123def456ghi"}""", "authorization")]
    // Split across nested objects and arrays.
    [InlineData("""{"req":{"headers":[["x-api-key","k1"],["accept","*/*"]]}}""", "x-api-key")]
    [InlineData("""{"a":[{"b":[{"name":"X-Goog-Api-Key","value":"k1"}]}]}""", "x-goog-api-key")]
    [InlineData("""{"client_secret":{"value":"abc","expires_at":1}}""", "client-secret")]
    [InlineData("""[[[[{"service":{"auth":{"type":"bearer","token":"Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6"}}}]]]]""", "token")]
    [InlineData("""{"password":12345}""", "password")]
    // Secrets under innocent keys, found by their shape.
    [InlineData("""{"note":"connect to https://svc:p4ssw0rd@db.internal/x"}""", "url-password")]
    [InlineData("""{"note":"use\tBearer\tabc123def456ghi"}""", "bearer-token")]
    [InlineData("""{"cmd":"curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='"}""", "authorization")]
    [InlineData("""{"text":"see BASIC dXNlcjpwYXNzd29yZA== above"}""", "basic-credentials")]
    [InlineData("""{"q":"/v1/models?key=Zx8Kq2Lm9Np4Rt7V&alt=json"}""", "key")]
    [InlineData("""{"q":"https://x.blob.core.windows.net/c?sv=2024&s-i-g=abc%2Bdef123"}""", "sig")]
    [InlineData("""{"env":"export GITHUB_TOKEN=Zx8Kq2Lm9Np4Rt7Vw1"}""", "github_token")]
    public void Adversarial_spellings_are_redacted_as_the_walk_redacts_them(string json, string kind)
    {
        using var document = JsonDocument.Parse(json);
        var redacted = AssertAsTheWalk(Redactor, document.RootElement, json.Contains("headers", StringComparison.Ordinal) ? Request : Headers);
        Assert.Contains($"[REDACTED:{kind}]", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{openai}}")]
    [InlineData("{{anthropic}}")]
    [InlineData("{{openrouter}}")]
    [InlineData("{{google}}")]
    [InlineData("{{ya29}}")]
    [InlineData("{{akia}}")]
    [InlineData("{{asia}}")]
    [InlineData("{{ghp}}")]
    [InlineData("{{ghs}}")]
    [InlineData("{{github-pat}}")]
    [InlineData("{{slack}}")]
    [InlineData("{{gsk}}")]
    [InlineData("{{xai}}")]
    [InlineData("{{hf}}")]
    [InlineData("{{jwt}}")]
    [InlineData("{{pem}}")]
    public void A_key_shape_under_an_innocent_key_is_found_in_every_position(string placeholder)
    {
        // Bare, inside prose, after an escape (\n and \t decode to characters the look-behind allows), and as the
        // whole value of a key nobody would call secret.
        string[] templates =
        [
            $$"""{"output":"{{placeholder}}"}""",
            $$"""{"output":"the key is {{placeholder}}, keep it"}""",
            $$"""{"output":"line one\n{{placeholder}}"}""",
            $$"""{"output":"col\t{{placeholder}}"}""",
            $$"""{"items":[1,{"x":["{{placeholder}}"]}]}""",
        ];
        foreach (var template in templates)
        {
            var (json, secrets) = FakeSecrets.Materialize("prescan|" + placeholder, template);
            using var document = JsonDocument.Parse(json);
            var redacted = AssertAsTheWalk(Redactor, document.RootElement, Body);
            Assert.DoesNotContain(secrets[0].RandomPart, redacted, StringComparison.Ordinal);
            Assert.Contains("[REDACTED:", redacted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_name_with_a_kelvin_sign_for_its_k_goes_to_the_walk_which_reads_it_as_k()
    {
        // Real characters, not \u escapes: U+212A lower-cases to 'k', so "apiKey" (Kelvin K) is the name api-key.
        const string json = "{\"api\u212Aey\":\"v4lue-not-shaped\",\"note\":\"Ba\u017Fic dXNlcjpwYXNzd29yZA==\"}";
        using var document = JsonDocument.Parse(json);
        Assert.DoesNotContain((byte)'\\', JsonMarshal.GetRawUtf8Value(document.RootElement).ToArray());
        Assert.True(Redactor.Prescan!.MayContainSecret(JsonMarshal.GetRawUtf8Value(document.RootElement)));
        var redacted = AssertAsTheWalk(Redactor, document.RootElement, Headers);
        Assert.DoesNotContain("v4lue-not-shaped", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_non_ascii_character_the_walk_could_read_as_an_ascii_letter_is_a_known_lookalike()
    {
        // Names are compared lower-cased with char.ToLowerInvariant; Bearer/Basic by a case-insensitive expression.
        var schemes = new Regex("^(?i:bearer|basic)$", RegexOptions.CultureInvariant);
        for (var c = '\u0080'; c < char.MaxValue; c++)
        {
            if (char.IsSurrogate(c))
            {
                continue;
            }
            var lowersToAscii = char.ToLowerInvariant(c) < 128;
            var matchesAsLetter = new[] { "bearer", "basic" }.Any(word => word.Distinct().Any(l => schemes.IsMatch(word.Replace(l, c))));
            if (lowersToAscii || matchesAsLetter)
            {
                Assert.Contains(c, SecretPrescan.AsciiLookalikes);
            }
        }
    }

    [Fact]
    public void Near_misses_are_ruled_out_by_the_scan_itself()
    {
        // Words that contain a secret name or a key prefix but cannot match: the walk is not needed.
        string[] clean =
        [
            """{"max_tokens":10,"eos_token_id":2,"next_page_token_count":1,"monkey":"banana","keys":["a"],"tokens":[1]}""",
            """{"text":"a basic example, the bearer of news, Asia and the task-list, sk-short, eyJhbG"}""",
            """{"prompt_cache_key":"coder-v3","signature_valid":true,"author":"x","https_url":"https://example.com/path?q=1"}""",
        ];
        foreach (var json in clean)
        {
            using var document = JsonDocument.Parse(json);
            Assert.False(Redactor.Prescan!.MayContainSecret(JsonMarshal.GetRawUtf8Value(document.RootElement)), json);
            Assert.Equal(json, Redactor.RedactByWalking(document.RootElement, Headers).GetRawText());
        }
    }

    [Fact]
    public void Random_mixtures_of_names_shapes_and_escapes_redact_as_the_walk_does()
    {
        // Deterministic: the same 3,000 values every run.
        var random = new Random(20251104);
        string[] names =
        [
            "authorization", "Proxy-Authorization", "x-api-key", "API_KEY", "apiKey", "a-p-i_key", "cookie", "Set-Cookie", "token", "TOKEN",
            "access_token", "x-csrf-token", "id_token", "client_secret", "webhookSecret", "password", "pass_wd", "db-passwd", "private_key",
            "aws_secret_access_key", "x-amz-security-token", "ocp-apim-subscription-key", "x-functions-key", "account_key", "auth",
            "credential", "credentials", "bearer", "key", "sig", "signature", "max_tokens", "monkey", "keys", "author", "signatures",
            "tokens", "name", "value", "headers", "requestHeaders", "text", "note", "x-internal-token", "tenant_pin",
        ];
        string[] texts =
        [
            "plain words", "Bearer abc123def456ghi", "Basic dXNlcjpwYXNzd29yZA==", "hunter2", "Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6", "https://u:p4ss@h/x",
            "?key=Zx8Kq2Lm9Np4&x=1", "password=Zx8Kq2Lm9", "GITHUB_TOKEN=Zx8Kq2Lm9Np4Rt7", "cookie: sid=abc123", "a basic idea", "sk-short",
            "line\nx-api-key: abc123def", "tab\tBearer\tabc123def456ghi", "Authorization", "x-api-key", "", "eyJ", "Asia", "task-sk-",
        ];
        string[] escapes = ["", "\\n", "\\t", "\\\"", "\\\\", "\\u0041", "\\/"];
        var extra = new DefaultSecretRedactor(["X-Internal-Token", "tenant_pin"]);
        var walked = 0;
        for (var n = 0; n < 3000; n++)
        {
            var json = RandomValue(random, names, texts, escapes, depth: 0);
            using var document = JsonDocument.Parse(json);
            var context = random.Next(3) switch { 0 => Headers, 1 => Request, _ => Metadata };
            var redacted = AssertAsTheWalk(n % 2 == 0 ? Redactor : extra, document.RootElement, context);
            walked += redacted == json ? 0 : 1;
        }
        Assert.True(walked > 300, $"only {walked} of 3000 values held a secret: the mixture is too thin to test anything");
    }

    private static string RandomValue(Random random, string[] names, string[] texts, string[] escapes, int depth)
    {
        switch (depth > 3 ? random.Next(2) : random.Next(5))
        {
            case 0:
                return JsonString(random, texts, escapes);
            case 1:
                return random.Next(3) switch { 0 => "12345", 1 => "null", _ => "true" };
            case 2 or 3:
                var properties = Enumerable.Range(0, random.Next(1, 4))
                    .Select(_ => Quote(Spell(random, names[random.Next(names.Length)], escapes)) + ":" + RandomValue(random, names, texts, escapes, depth + 1));
                return "{" + string.Join(",", properties) + "}";
            default:
                var items = Enumerable.Range(0, random.Next(0, 3)).Select(_ => random.Next(3) == 0
                    ? JsonString(random, names, escapes)
                    : RandomValue(random, names, texts, escapes, depth + 1));
                return "[" + string.Join(",", items) + "]";
        }
    }

    private static string JsonString(Random random, string[] words, string[] escapes)
    {
        var text = words[random.Next(words.Length)];
        return Quote(random.Next(3) == 0 ? Spell(random, text, escapes) + " " + Spell(random, words[random.Next(words.Length)], escapes) : Spell(random, text, escapes));
    }

    // The text as JSON string content: its own escapes kept, sometimes a random letter changed in case or written
    // as \u00XX, sometimes an escape put in front.
    private static string Spell(Random random, string text, string[] escapes)
    {
        var builder = new StringBuilder(escapes[random.Next(escapes.Length)]);
        foreach (var c in text)
        {
            var roll = random.Next(20);
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '"' => "\\\"",
                _ when roll == 0 && char.IsAsciiLetter(c) => $"\\u{(int)c:X4}",
                _ when roll == 1 => char.IsUpper(c) ? char.ToLowerInvariant(c).ToString() : char.ToUpperInvariant(c).ToString(),
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }

    private static string Quote(string content) => "\"" + content + "\"";

    // The redactor's result is the full walk's, byte for byte; and whenever the walk changes something the pre-scan
    // must have suspected it.
    private static string AssertAsTheWalk(DefaultSecretRedactor redactor, JsonElement value, RedactionContext context)
    {
        var walked = redactor.RedactByWalking(value, context).GetRawText();
        var redacted = redactor.Redact(value, context).GetRawText();
        Assert.Equal(walked, redacted);
        if (walked != value.GetRawText())
        {
            Assert.True(redactor.Prescan!.MayContainSecret(JsonMarshal.GetRawUtf8Value(value)), $"the pre-scan missed a secret in {value.GetRawText()}");
        }
        return redacted;
    }
}
