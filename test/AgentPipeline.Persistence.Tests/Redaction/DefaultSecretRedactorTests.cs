using System.Text;
using System.Text.Json;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>What the default redactor changes, and everything it must leave exactly as it was.</summary>
public sealed class DefaultSecretRedactorTests
{
    private static readonly RedactionContext Body = new("agent_invocations", "response_body");
    private static readonly RedactionContext Request = new("agent_steps", "request_body");
    private static readonly RedactionContext HeaderColumn = new("agent_steps", "response_headers");
    private static readonly DefaultSecretRedactor Redactor = new();

    private static string Redact(string json, RedactionContext context, int maxDepth = 64)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
        return Redactor.Redact(document.RootElement, context).GetRawText();
    }

    [Theory]
    [InlineData("authorization")]
    [InlineData("Authorization")]
    [InlineData("AUTHORIZATION")]
    [InlineData("proxy-authorization")]
    [InlineData("Proxy-Authorization")]
    [InlineData("x-api-key")]
    [InlineData("X-Api-Key")]
    [InlineData("X_API_KEY")]
    [InlineData("xApiKey")]
    [InlineData("api-key")]
    [InlineData("api_key")]
    [InlineData("apiKey")]
    [InlineData("API-KEY")]
    [InlineData("apikey")]
    [InlineData("x-goog-api-key")]
    [InlineData("XGoogApiKey")]
    [InlineData("cookie")]
    [InlineData("Cookie")]
    [InlineData("set-cookie")]
    [InlineData("Set-Cookie")]
    [InlineData("set_cookie")]
    [InlineData("access_token")]
    [InlineData("accessToken")]
    [InlineData("refresh_token")]
    [InlineData("client_secret")]
    [InlineData("clientSecret")]
    [InlineData("secret_key")]
    [InlineData("password")]
    [InlineData("PASSWORD")]
    [InlineData("private_key")]
    [InlineData("privateKey")]
    [InlineData("aws_secret_access_key")]
    [InlineData("AwsSecretAccessKey")]
    [InlineData("SecretAccessKey")]
    [InlineData("x-amz-security-token")]
    [InlineData("X-Amz-Security-Token")]
    [InlineData("session_token")]
    [InlineData("SessionToken")]
    [InlineData("openai_api_key")]
    [InlineData("anthropicApiKey")]
    [InlineData("webhook_secret")]
    [InlineData("db_password")]
    public void A_field_named_like_a_secret_loses_its_value_wherever_it_is(string name)
    {
        var json = $$"""{"outer":[{"{{name}}":"v4lue-not-shaped","ok":"kept"}]}""";
        var redacted = Redact(json, Body);
        Assert.DoesNotContain("v4lue-not-shaped", redacted, StringComparison.Ordinal);
        Assert.Matches($$"""^\{"outer":\[\{"{{name}}":"\[REDACTED:[a-z0-9._-]+\]","ok":"kept"\}\]\}$""", redacted);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("keys")]
    [InlineData("token")]
    [InlineData("tokens")]
    [InlineData("max_tokens")]
    [InlineData("eos_token")]
    [InlineData("next_page_token")]
    [InlineData("signature")]
    [InlineData("private_key_id")]
    [InlineData("secret_key_id")]
    [InlineData("password_hash")]
    [InlineData("authorization_url")]
    [InlineData("cookies_enabled")]
    [InlineData("x-ratelimit-remaining-tokens")]
    [InlineData("api")]
    public void A_field_merely_near_a_secret_name_keeps_its_value(string name)
    {
        var json = $$"""{"{{name}}":"plain value","n":1}""";
        Assert.Equal(json, Redact(json, Body));
    }

    [Fact]
    public void Header_names_ending_in_token_are_secrets_in_headers_but_not_in_bodies()
    {
        const string json = """{"x-csrf-token":"abc123XYZ789def","x-ratelimit-remaining-tokens":"100","x-request-id":"req_1"}""";
        Assert.Equal("""{"x-csrf-token":"[REDACTED:x-csrf-token]","x-ratelimit-remaining-tokens":"100","x-request-id":"req_1"}""", Redact(json, HeaderColumn));
        Assert.Equal(json, Redact(json, Body));
        // A "headers" object inside a body is read with header rules.
        Assert.Equal("""{"request":{"headers":{"X-Csrf-Token":"[REDACTED:x-csrf-token]"}}}""",
            Redact("""{"request":{"headers":{"X-Csrf-Token":"abc123XYZ789def"}}}""", Request));
    }

    [Fact]
    public void A_token_field_is_removed_only_when_its_value_looks_generated()
    {
        const string json = """{"logprobs":[{"token":" Bearer","logprob":-0.1},{"token":"Authorization"}],"service_auth":{"type":"bearer","token":"Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6"}}""";
        Assert.Equal("""{"logprobs":[{"token":" Bearer","logprob":-0.1},{"token":"Authorization"}],"service_auth":{"type":"bearer","token":"[REDACTED:token]"}}""",
            Redact(json, Body));
    }

    [Fact]
    public void Headers_as_arrays_pairs_and_entries_are_all_recognised()
    {
        Assert.Equal("""{"set-cookie":["[REDACTED:set-cookie]","[REDACTED:set-cookie]"],"vary":["Origin"]}""",
            Redact("""{"set-cookie":["a=1; Path=/","b=2; Path=/"],"vary":["Origin"]}""", HeaderColumn));
        Assert.Equal("""[["Authorization","[REDACTED:authorization]"],["accept","*/*"]]""",
            Redact("""[["Authorization","Digest username=\"u\", response=\"6629fae49393a05397450978507c4ef1\""],["accept","*/*"]]""", HeaderColumn));
        Assert.Equal("""{"headers":[{"name":"X-Api-Key","value":"[REDACTED:x-api-key]"},{"key":"Accept","value":"*/*"}]}""",
            Redact("""{"headers":[{"name":"X-Api-Key","value":"k1"},{"key":"Accept","value":"*/*"}]}""", Request));
    }

    [Fact]
    public void A_json_schema_list_that_mentions_a_secret_name_is_not_a_header_pair()
    {
        const string json = """{"parameters":{"type":"object","properties":{"password":{"type":"string","description":"The password"}},"required":["password","host"]}}""";
        using var document = JsonDocument.Parse(json);
        RedactionCorpusTests.AssertSameMemory(document.RootElement, Redactor.Redact(document.RootElement, Request));
    }

    [Fact]
    public void A_secret_name_replaces_scalars_keeps_null_booleans_and_empty_strings_and_searches_objects()
    {
        const string json = """
            {"password":123456,"api_key":true,"secret_key":null,"client_secret":"","access_token":["a1b2c3d4e5",42,{"x":1}],
             "realtime":{"client_secret":{"value":"ek_68b1f0c2d4e6a8b0","expires_at":1762254753}}}
            """;
        Assert.Equal("""
            {"password":"[REDACTED:password]","api_key":true,"secret_key":null,"client_secret":"","access_token":["[REDACTED:access-token]","[REDACTED:access-token]",{"x":1}],
             "realtime":{"client_secret":{"value":"[REDACTED:client-secret]","expires_at":1762254753}}}
            """, Redact(json, Body));
    }

    [Fact]
    public void Numbers_keep_their_exact_text_whatever_their_size_or_precision()
    {
        const string json = """{"big":123456789012345678901234567890,"tiny":-0.000000000000000000000000000001e-5,"huge":1E+400,"trailing":[1.10,2.500,-0],"authorization":"Bearer abcdef123456"}""";
        Assert.Equal("""{"big":123456789012345678901234567890,"tiny":-0.000000000000000000000000000001e-5,"huge":1E+400,"trailing":[1.10,2.500,-0],"authorization":"[REDACTED:authorization]"}""",
            Redact(json, Body));
    }

    [Fact]
    public void Layout_escapes_and_non_ascii_text_outside_the_secret_stay_byte_for_byte()
    {
        const string json = "{\n  \"caf\\u00e9\" : \"na\\u00efve \\/ \\\"quoted\\\"\",\n\t\"note\": \"R\u00e9sum\u00e9 \u2014 key sk-Zx8Kq2Lm9Np4Rt7Vw1Yb3Cd6Fg0Hj5Ks \u2713\" ,\n  \"n\" : 1.50\n}";
        var expected = "{\n  \"caf\\u00e9\" : \"na\\u00efve \\/ \\\"quoted\\\"\",\n\t\"note\": \"R\u00e9sum\u00e9 \u2014 key [REDACTED:openai-key] \u2713\" ,\n  \"n\" : 1.50\n}";
        Assert.Equal(expected, Redact(json, Body));
    }

    [Fact]
    public void Header_entries_are_looked_for_only_in_small_objects()
    {
        // {name, value} with six properties or fewer is a header entry; a large object is a record that happens to have both.
        Assert.Equal("""{"name":"password","value":"[REDACTED:password]","a":1,"b":2,"c":3,"d":4}""",
            Redact("""{"name":"password","value":"hunter2x","a":1,"b":2,"c":3,"d":4}""", Body));
        const string large = """{"name":"password","value":"kept","a":1,"b":2,"c":3,"d":4,"e":5}""";
        Assert.Equal(large, Redact(large, Body));
    }

    [Fact]
    public void An_escaped_string_with_a_secret_keeps_its_other_text()
    {
        const string json = """{"log":"line1\nAuthorization: Bearer abcdef123456\nline3 \u00e9"}""";
        using var document = JsonDocument.Parse(Redact(json, Body));
        Assert.Equal("line1\nAuthorization: [REDACTED:authorization]\nline3 \u00e9", document.RootElement.GetProperty("log").GetString());
    }

    [Fact]
    public void A_column_holding_a_bare_string_is_searched_too()
    {
        Assert.Equal("\"use Bearer [REDACTED:bearer-token] here\"", Redact("\"use Bearer abcdef123456 here\"", Body));
        Assert.Equal("42", Redact("42", Body));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(1500)]
    public void Deep_nesting_is_redacted_without_recursion_limits(int depth)
    {
        var json = new StringBuilder();
        for (var i = 0; i < depth - 1; i++)
        {
            json.Append(i % 2 == 0 ? "{\"a\":" : "[");
        }
        json.Append("""{"authorization":"Bearer abcdef123456","n":1.10}""");
        for (var i = depth - 2; i >= 0; i--)
        {
            json.Append(i % 2 == 0 ? "}" : "]");
        }
        var input = json.ToString();

        var redacted = Redact(input, Body, maxDepth: depth + 10);

        Assert.Equal(input.Replace("Bearer abcdef123456", "[REDACTED:authorization]", StringComparison.Ordinal), redacted);
        var clean = input.Replace("authorization", "description", StringComparison.Ordinal).Replace("Bearer abcdef123456", "plain", StringComparison.Ordinal);
        using var document = JsonDocument.Parse(clean, new JsonDocumentOptions { MaxDepth = depth + 10 });
        RedactionCorpusTests.AssertSameMemory(document.RootElement, Redactor.Redact(document.RootElement, Body));
    }

    [Fact]
    public void A_value_inside_a_larger_document_is_redacted_on_its_own()
    {
        using var document = JsonDocument.Parse("""{"before":"x","column":{"cookie":"sid=abc123"},"after":"y"}""");
        var redacted = Redactor.Redact(document.RootElement.GetProperty("column"), Request);
        Assert.Equal("""{"cookie":"[REDACTED:cookie]"}""", redacted.GetRawText());
    }

    [Fact]
    public void The_clean_fast_path_returns_the_same_element_and_allocates_a_fraction_of_a_copy()
    {
        // ~650 KB of ordinary model traffic: ids, prose, code, numbers and base64 image data, no secret.
        var sample = RedactionCorpus.Get("look-alikes-that-are-not-secrets");
        var one = RedactionCorpus.Materialize(sample).Json;
        var json = "[" + string.Join(",", Enumerable.Repeat(one, 120)) + "]";
        using var clean = JsonDocument.Parse(json);
        using var dirty = JsonDocument.Parse(json[..^1] + ""","Authorization: Bearer abcdef123456"]""");
        Redactor.Redact(clean.RootElement, Body); // warm up: regex runner, pools
        Redactor.Redact(dirty.RootElement, Body);

        var scan = Allocated(() => RedactionCorpusTests.AssertSameMemory(clean.RootElement, Redactor.Redact(clean.RootElement, Body)));
        var rebuild = Allocated(() => Redactor.Redact(dirty.RootElement, Body));

        // Steady state is zero; early calls still see JIT tiering. A rebuild necessarily copies the whole document.
        Assert.True(scan < json.Length / 10, $"the scan of {json.Length} bytes allocated {scan} bytes");
        Assert.True(rebuild > json.Length, $"the rebuild of {json.Length} bytes allocated only {rebuild} bytes");
    }

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
