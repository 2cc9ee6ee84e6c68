using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>
/// Values that hold no credential but are full of what a careless redactor takes for one: log-probability tokens
/// (thousands, in JSON and as streamed text), provider ids, thinking signatures, encrypted reasoning, base64 media
/// with key look-alikes inside, hashes and prose. Redaction must change none of their bytes.
/// </summary>
public sealed class FalsePositiveCorpusTests
{
    private static readonly DefaultSecretRedactor Redactor = new();
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Pieces a tokenizer really emits: words with their leading space, sub-words, numbers, punctuation, code, other
    // scripts, and the words that name secrets.
    private static readonly string[] Vocabulary =
    [
        " toppings", " pepperoni", " mozzarella", " the", " a", " of", " pizza", " and", " is", " with", "The", "Hello", ",", ".", "!", "?", "\n", "\n\n",
        " token", " tokens", "token", " Bearer", "Bearer", " bearer", " Authorization", "Authorization", " auth", "auth", " credential", " credentials",
        " API", " key", " keys", " secret", " password", " passwords", "sk", "-", "proj", "-proj", " sk", "AI", "za", "AK", "IA", "gh", "p", "_",
        " 2024", " 3", ".14", "159", " 42", "0", "1", "123", "4567", " 0x1F", " 1e-7", " -0.77",
        "()", " =>", " {", "}", " [", "];", " const", " await", " return", " function", " if", " else", "camel", "Case", "snake", "_case",
        " internationalization", " Supercalifragilistic", " über", " naïve", " café", "日本", "語", " 😀", "é", "ñ", " —", "“", "”",
        " Use", " vault", " rotate", " every", " days", " deploy", " failed", " region", " us", "-east", "-1", " Zx8", "Kq2",
        " toppings\"", "\\", " \"quoted\"", "\t", " AKIA", " AIza", " eyJ", " ghp_", " xoxb", " ek_", " ek", "_live",
    ];

    [Fact]
    public void Log_probability_tokens_in_a_chat_completion_are_left_alone()
    {
        var json = ChatCompletionWithLogprobs(tokens: 1200, seed: 1);
        AssertUnchanged(json, new RedactionContext("agent_steps", "response_body"));
    }

    [Fact]
    public void Log_probability_tokens_in_a_stream_kept_as_text_are_left_alone()
    {
        // What a streamed response looks like when the SDK keeps the raw server-sent events: one string holding
        // lines such as  data: {…"token":" toppings","logprob":-0.77,…}
        var sse = StreamedChatChunks(tokens: 1200, seed: 2);
        var json = JsonSerializer.Serialize(new { raw_stream = sse, format = "text/event-stream" });
        AssertUnchanged(json, new RedactionContext("agent_steps", "response_body"));
        // Pretty-printed as a tool's output shows it (spaces around the colon), with quotes escaped as \" this time.
        var pretty = JsonSerializer.Serialize(new { output = sse.Replace("\":\"", "\": \"", StringComparison.Ordinal) }, Relaxed);
        AssertUnchanged(pretty, new RedactionContext("agent_steps", "request_body"));
    }

    [Fact]
    public void Log_probability_tokens_of_the_responses_and_legacy_completions_apis_are_left_alone()
    {
        var random = new Random(3);
        var events = new StringBuilder("[");
        var legacyTokens = new List<string>();
        var legacyTop = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var token = Pick(random);
            events.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"type":"response.output_text.delta","item_id":"msg_{{Id(random, 32)}}","output_index":0,"content_index":0,"delta":{{Q(token)}},"sequence_number":{{i + 4}},"logprobs":[{"token":{{Q(token)}},"logprob":{{Logprob(random)}},"top_logprobs":[{"token":{{Q(Pick(random))}},"logprob":{{Logprob(random)}}},{"token":{{Q(Pick(random))}},"logprob":{{Logprob(random)}}}]}]}""");
            legacyTokens.Add(Q(token));
            // The legacy completions API maps each alternative token to its log-probability: token text as property names.
            legacyTop.Add($$"""{{{Q(token.Trim().Length > 0 ? token.Trim() : token)}}:{{Logprob(random)}},{{Q(Pick(random))}}:{{Logprob(random)}}}""");
        }
        events.Append(']');
        AssertUnchanged(events.ToString(), new RedactionContext("agent_steps", "response_body"));
        AssertUnchanged(JsonSerializer.Serialize(new { events = events.ToString() }, Relaxed), new RedactionContext("agent_steps", "response_body"));

        var legacy = $$"""{"id":"cmpl-{{Id(random, 29)}}","object":"text_completion","choices":[{"text":"…","index":0,"logprobs":{"tokens":[{{string.Join(',', legacyTokens)}}],"top_logprobs":[{{string.Join(',', legacyTop)}}],"text_offset":[0]},"finish_reason":"length"}]}""";
        AssertUnchanged(legacy, new RedactionContext("agent_steps", "response_body"));
        // And the words that name secrets as alternatives of their own: {"password": -1.2, "token": -2.5}.
        AssertUnchanged("""{"choices":[{"logprobs":{"top_logprobs":[{"password":-1.2,"token":-2.5,"api_key":-3.1,"Authorization":-4.0}]}}]}""",
            new RedactionContext("agent_steps", "response_body"));
    }

    [Fact]
    public void Provider_ids_signatures_encrypted_reasoning_and_hashes_are_left_alone()
    {
        var random = new Random(4);
        var json = $$"""
            {"ids": {"openai_chat": "chatcmpl-{{Id(random, 29)}}", "openai_response": "resp_{{Hex(random, 48)}}", "reasoning": "rs_{{Hex(random, 48)}}",
                     "function_call": "fc_{{Hex(random, 48)}}", "call": "call_{{Id(random, 24)}}", "anthropic_message": "msg_01{{Id(random, 22)}}",
                     "tool_use": "toolu_01{{Id(random, 22)}}", "server_tool_use": "srvtoolu_01{{Id(random, 22)}}", "request": "req_{{Id(random, 24)}}",
                     "anthropic_request": "req_011C{{Id(random, 20)}}", "openai_request": "req_{{Hex(random, 32)}}", "file": "file-{{Id(random, 22)}}",
                     "batch": "batch_{{Hex(random, 32)}}", "openrouter": "gen-{{random.Next(1_700_000_000, 1_800_000_000)}}-{{Id(random, 20)}}",
                     "system_fingerprint": "fp_{{Hex(random, 10)}}", "uuid": "{{Guid(random)}}"},
             "thinking": {"type": "thinking", "thinking": "The user wants the token budget raised; the key is in the vault.", "signature": "{{Base64(random, 700)}}"},
             "redacted_thinking": {"type": "redacted_thinking", "data": "{{Base64(random, 900)}}"},
             "reasoning_item": {"type": "reasoning", "id": "rs_{{Hex(random, 48)}}", "encrypted_content": "gAAAAAB{{Base64Url(random, 1200)}}", "summary": []},
             "gemini": {"thoughtSignature": "{{Base64(random, 500)}}", "responseId": "{{Id(random, 22)}}"},
             "hashes": {"sha256": "{{Hex(random, 64)}}", "sha512": "{{Hex(random, 128)}}", "git": "{{Hex(random, 40)}}", "md5": "{{Hex(random, 32)}}",
                        "digest": "sha256:{{Hex(random, 64)}}", "integrity": "sha512-{{Base64(random, 64)}}", "etag": "W/\"{{Hex(random, 32)}}\""},
             "headers_in_body": {"x-request-id": "req_{{Hex(random, 32)}}", "request-id": "req_011C{{Id(random, 20)}}", "cf-ray": "{{Hex(random, 16)}}-FRA",
                                 "anthropic-organization-id": "{{Guid(random)}}", "x-ratelimit-remaining-tokens": "1998765", "openai-processing-ms": "1843"},
             "usage": {"input_tokens": 1234, "output_tokens": 56, "cache_read_input_tokens": 1024, "reasoning_tokens": 12},
             "prose": ["token: toppings", "the auth: none", "credential: the badge", "Pass the token: next", "bearer: the courier",
                       "next_page_token: CAUQAA", "x-csrf-token: missing", "Authorization header omitted for brevity"]}
            """;
        AssertUnchanged(json, new RedactionContext("agent_steps", "response_body"));
        AssertUnchanged(json, new RedactionContext("agent_invocations", "provider_metadata"));
    }

    [Fact]
    public void Base64_media_holding_key_look_alikes_is_left_alone()
    {
        var random = new Random(5);
        var image = WithLookAlikes(Base64(random, 6000), random, urlSafe: false);
        var audio = WithLookAlikes(Base64(random, 6000), random, urlSafe: false);
        var urlSafe = WithLookAlikes(Base64Url(random, 6000), random, urlSafe: true);
        // MIME-style base64 broken into lines of 76 characters.
        var wrapped = string.Join("\n", image.Chunk(76).Select(c => new string(c)));
        var mime = wrapped.Replace("\n", "\\n", StringComparison.Ordinal);
        var json = $$$"""
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,{{{image}}}"}},
                                                     {"type": "input_audio", "input_audio": {"data": "{{{audio}}}", "format": "wav"}}]}],
             "gemini": {"inlineData": {"mimeType": "image/webp", "data": "{{{urlSafe}}}"}},
             "anthropic": {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "{{{image}}}"}},
             "mime": "{{{mime}}}"}
            """;
        AssertUnchanged(json, new RedactionContext("agent_steps", "request_body"));
    }

    [Fact]
    public void The_corpus_really_holds_thousands_of_tokens()
    {
        // A guard on the tests above: were the generators to produce nothing, they would pass vacuously.
        var chat = ChatCompletionWithLogprobs(tokens: 1200, seed: 1);
        var sse = StreamedChatChunks(tokens: 1200, seed: 2);
        Assert.True(CountOf(chat, "\"token\":") >= 4800, $"{CountOf(chat, "\"token\":")} tokens");
        Assert.True(CountOf(sse, "\"token\":\"") >= 3600, $"{CountOf(sse, "\"token\":\"")} tokens");
        Assert.Contains("\"token\":\" toppings\"", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_next_to_the_same_names_are_still_removed()
    {
        // The weak names still catch a generated value outside a log-probability entry.
        var context = new RedactionContext("agent_steps", "response_body");
        Assert.Equal("""{"auth":{"type":"bearer","token":"[REDACTED:token]"}}""",
            Redact("""{"auth":{"type":"bearer","token":"Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6"}}""", context));
        Assert.Equal("""{"log":"token: [REDACTED:token] issued"}""", Redact("""{"log":"token: Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6 issued"}""", context));
        Assert.Equal("""{"log":"{\"token\":\"[REDACTED:token]\",\"expires_in\":3600}"}""",
            Redact("""{"log":"{\"token\":\"Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6\",\"expires_in\":3600}"}""", context));
        Assert.Equal("""{"env":"GITHUB_TOKEN=[REDACTED:github_token]"}""", Redact("""{"env":"GITHUB_TOKEN=a1b2c3d4e5f6a7b8c9d0"}""", context));
        // A key shape is a key even as a log-probability token.
        Assert.DoesNotContain("Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6",
            Redact("""{"raw":"data: {\"token\":\"sk-Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6\",\"logprob\":-0.1}"}""", context), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ephemeral_key_is_a_credential_wherever_it_appears()
    {
        var context = new RedactionContext("agent_steps", "response_body");
        // The Realtime client-secret response as it is today, and as it was.
        Assert.Equal("""{"value":"[REDACTED:openai-ephemeral-key]","expires_at":1762254753,"session":{"type":"realtime","model":"gpt-realtime"}}""",
            Redact("""{"value":"ek_68b1f0c2d4e6a8b0c1d2e3f4a5b6c7d8","expires_at":1762254753,"session":{"type":"realtime","model":"gpt-realtime"}}""", context));
        Assert.Equal("""{"client_secret":{"value":"[REDACTED:client-secret]","expires_at":1762254753}}""",
            Redact("""{"client_secret":{"value":"ek_68b1f0c2d4e6a8b0c1d2e3f4a5b6c7d8","expires_at":1762254753}}""", context));
        // In any field, in text, in an array, in a header value.
        Assert.Equal("""{"note":"connect with [REDACTED:openai-ephemeral-key] before it expires","keys":["[REDACTED:openai-ephemeral-key]"]}""",
            Redact("""{"note":"connect with ek_68b1f0c2d4e6a8b0c1d2e3f4a5b6c7d8 before it expires","keys":["ek_0a1B2c3D4e5F6g7H8i9J"]}""", context));
        Assert.Equal("""{"x-debug":"Bearer [REDACTED:bearer-token]"}""",
            Redact("""{"x-debug":"Bearer ek_68b1f0c2d4e6a8b0c1d2e3f4a5b6c7d8"}""", new RedactionContext("agent_steps", "response_headers")));
        // Words and short ids that merely start the same way stay.
        const string words = """{"a":"ek_","b":"ek_weekly_report","c":"peek_1234567890abcdef","d":"ek_2024"}""";
        Assert.Equal(words, Redact(words, context));
    }

    private static void AssertUnchanged(string json, RedactionContext context)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var input = root.GetRawText();
        // Both the store's path (pre-scan, then walk) and the full walk on its own.
        var stored = SecretRedaction.Apply(new SecretRedactionOptions(), root, context)!.Value.GetRawText();
        var walked = Redactor.RedactByWalking(root, context).GetRawText();
        foreach (var output in new[] { stored, walked })
        {
            if (output != input)
            {
                var at = 0;
                while (at < input.Length && at < output.Length && input[at] == output[at])
                {
                    at++;
                }
                var from = Math.Max(0, at - 80);
                Assert.Fail($"changed at {at}: …{input[from..Math.Min(input.Length, at + 80)]}… became …{output[from..Math.Min(output.Length, at + 80)]}…");
            }
        }
        Assert.Equal(0, CountOf(stored, DefaultSecretRedactor.MarkerPrefix));
    }

    private static string Redact(string json, RedactionContext context)
    {
        using var document = JsonDocument.Parse(json);
        return SecretRedaction.Apply(new SecretRedactionOptions(), document.RootElement, context)!.Value.GetRawText();
    }

    private static string ChatCompletionWithLogprobs(int tokens, int seed)
    {
        var random = new Random(seed);
        var content = new StringBuilder();
        var entries = new StringBuilder();
        for (var i = 0; i < tokens; i++)
        {
            var token = Pick(random);
            content.Append(token);
            entries.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"token":{{Q(token)}},"logprob":{{Logprob(random)}},"bytes":[{{string.Join(',', Encoding.UTF8.GetBytes(token))}}],"top_logprobs":[{{TopLogprobs(random, 3)}}]}""");
        }
        return $$"""{"id":"chatcmpl-{{Id(random, 29)}}","object":"chat.completion","created":1762251153,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":{{Q(content.ToString())}}},"logprobs":{"content":[{{entries}}],"refusal":null},"finish_reason":"stop"}]}""";
    }

    private static string StreamedChatChunks(int tokens, int seed)
    {
        var random = new Random(seed);
        var id = "chatcmpl-" + Id(random, 29);
        var sse = new StringBuilder();
        for (var i = 0; i < tokens; i++)
        {
            var token = i == 7 ? " toppings" : Pick(random);
            sse.Append(CultureInfo.InvariantCulture,
                $$"""data: {"id":"{{id}}","object":"chat.completion.chunk","created":1762251153,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":{{Q(token)}}},"logprobs":{"content":[{"token":{{Q(token)}},"logprob":{{Logprob(random)}},"bytes":[{{string.Join(',', Encoding.UTF8.GetBytes(token))}}],"top_logprobs":[{{TopLogprobs(random, 2)}}]}],"refusal":null},"finish_reason":null}]}""")
                .Append("\n\n");
        }
        return sse.Append("data: [DONE]\n\n").ToString();
    }

    private static string TopLogprobs(Random random, int count) =>
        string.Join(',', Enumerable.Range(0, count).Select(_ =>
        {
            var token = Pick(random);
            return $$"""{"token":{{Q(token)}},"logprob":{{Logprob(random)}},"bytes":[{{string.Join(',', Encoding.UTF8.GetBytes(token))}}]}""";
        }));

    private static string WithLookAlikes(string base64, Random random, bool urlSafe)
    {
        // Key look-alikes inside the run, on 4-character boundaries so the data stays valid base64.
        List<string> lookAlikes =
        [
            "AIza" + Id(random, 35) + "A", "AKIA" + Id(random, 16).ToUpperInvariant(), "eyJ" + Id(random, 20) + "A", "ghp_" + Id(random, 36),
            "ya29" + Id(random, 24), "ek_" + Id(random, 32) + "A",
        ];
        if (urlSafe)
        {
            lookAlikes.Add("sk-" + Id(random, 40) + "A");
            lookAlikes.Add("sk-proj-" + Id(random, 40));
            lookAlikes.Add("xoxb-" + Id(random, 30) + "A");
        }
        var position = 400;
        foreach (var lookAlike in lookAlikes)
        {
            var clean = urlSafe ? lookAlike : lookAlike.Replace('_', 'Q').Replace('-', 'Q');
            var padded = clean.PadRight((clean.Length + 3) / 4 * 4, 'Q');
            base64 = base64[..position] + padded + base64[(position + padded.Length)..];
            position += 640;
        }
        return base64;
    }

    private static string Pick(Random random) => Vocabulary[random.Next(Vocabulary.Length)];

    private static string Logprob(Random random) => (-random.NextDouble() * 12).ToString("R", CultureInfo.InvariantCulture);

    private static string Q(string text) => JsonSerializer.Serialize(text);

    private static string Id(Random random, int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static string Hex(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => "0123456789abcdef"[random.Next(16)]).ToArray());

    private static string Guid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static string Base64(Random random, int bytes)
    {
        var data = new byte[bytes];
        random.NextBytes(data);
        return Convert.ToBase64String(data);
    }

    private static string Base64Url(Random random, int bytes) => Base64(random, bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
