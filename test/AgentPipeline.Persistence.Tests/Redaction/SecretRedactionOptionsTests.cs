using System.Text.Json;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>On by default, off when asked, extra names, a custom redactor instead of the default one.</summary>
public sealed class SecretRedactionOptionsTests
{
    private static readonly RedactionContext Body = new("agent_steps", "request_body");

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Redaction_is_on_by_default_with_no_extra_names_and_no_custom_redactor()
    {
        var options = new SecretRedactionOptions();
        Assert.True(options.Enabled);
        Assert.Empty(options.ExtraNames);
        Assert.Null(options.CustomRedactor);
        var redacted = SecretRedaction.Apply(options, Parse("""{"api_key":"k-123456789"}"""), Body)!.Value;
        Assert.Equal("""{"api_key":"[REDACTED:api-key]"}""", redacted.GetRawText());
    }

    [Fact]
    public void Disabled_redaction_returns_the_value_untouched_and_never_calls_a_custom_redactor()
    {
        var custom = new RecordingRedactor();
        var options = new SecretRedactionOptions { Enabled = false, CustomRedactor = custom };
        var value = Parse("""{"authorization":"Bearer abcdef123456","cookie":"sid=1"}""");
        var result = SecretRedaction.Apply(options, value, Body)!.Value;
        RedactionCorpusTests.AssertSameMemory(value, result);
        Assert.Empty(custom.Calls);
    }

    [Fact]
    public void Null_and_undefined_values_pass_through_for_the_store_to_handle()
    {
        var options = new SecretRedactionOptions();
        Assert.Null(SecretRedaction.Apply(options, null, Body));
        Assert.Equal(JsonValueKind.Undefined, SecretRedaction.Apply(options, default(JsonElement), Body)!.Value.ValueKind);
        Assert.Throws<ArgumentException>(() => new DefaultSecretRedactor().Redact(default, Body));
    }

    [Fact]
    public void Extra_names_match_in_any_case_and_spelling_in_fields_headers_and_text()
    {
        var options = new SecretRedactionOptions { ExtraNames = { "Tenant-Passphrase" } };
        var value = Parse("""
            {"tenantPassphrase": "correct horse battery staple", "tenant_passphrase": "x1", "TENANT-PASSPHRASE": 1234,
             "note": "login with tenant_passphrase=zzz9y8 then retry", "tenant": "acme"}
            """);
        var redacted = SecretRedaction.Apply(options, value, Body)!.Value;
        Assert.Equal("""
            {"tenantPassphrase": "[REDACTED:tenant-passphrase]", "tenant_passphrase": "[REDACTED:tenant-passphrase]", "TENANT-PASSPHRASE": "[REDACTED:tenant-passphrase]",
             "note": "login with tenant_passphrase=[REDACTED:tenant-passphrase] then retry", "tenant": "acme"}
            """, redacted.GetRawText());

        // The same value without the extra name holds nothing the built-in rules know.
        RedactionCorpusTests.AssertSameMemory(value, SecretRedaction.Apply(new SecretRedactionOptions(), value, Body)!.Value);
    }

    [Fact]
    public void Extra_names_added_after_first_use_take_effect()
    {
        var options = new SecretRedactionOptions();
        var value = Parse("""{"vault_lease":"lease-77aa88bb"}""");
        RedactionCorpusTests.AssertSameMemory(value, SecretRedaction.Apply(options, value, Body)!.Value);
        options.ExtraNames.Add("vault-lease");
        Assert.Equal("""{"vault_lease":"[REDACTED:vault-lease]"}""", SecretRedaction.Apply(options, value, Body)!.Value.GetRawText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("-_-")]
    public void A_blank_extra_name_is_an_argument_exception(string name)
    {
        var options = new SecretRedactionOptions { ExtraNames = { name } };
        Assert.Throws<ArgumentException>(() => SecretRedaction.Apply(options, Parse("{}"), Body));
        Assert.Throws<ArgumentException>(() => new DefaultSecretRedactor([name]));
    }

    [Fact]
    public void An_extra_name_with_odd_characters_gives_a_clean_marker_kind()
    {
        var redactor = new DefaultSecretRedactor(["X Weird/Name!"]);
        var redacted = redactor.Redact(Parse("""{"x weird/name!":"v"}"""), Body);
        Assert.Equal("""{"x weird/name!":"[REDACTED:xweirdname]"}""", redacted.GetRawText());
    }

    [Fact]
    public void A_custom_redactor_replaces_the_default_one_entirely()
    {
        var custom = new RecordingRedactor();
        var options = new SecretRedactionOptions { CustomRedactor = custom, ExtraNames = { "ignored_name" } };
        var value = Parse("""{"authorization":"Bearer abcdef123456","ignored_name":"x"}""");
        var context = new RedactionContext("agent_invocations", "response_headers");

        var result = SecretRedaction.Apply(options, value, context)!.Value;

        Assert.Equal("""{"custom":true}""", result.GetRawText());
        var call = Assert.Single(custom.Calls);
        Assert.Equal(value.GetRawText(), call.Value);
        Assert.Equal(context, call.Context);
        Assert.True(call.Context.IsHeaders);
    }

    [Fact]
    public void A_custom_redactor_can_extend_the_default_one()
    {
        var options = new SecretRedactionOptions { CustomRedactor = new DropEmailsRedactor() };
        var value = Parse("""{"authorization":"Bearer abcdef123456","email":"dev@acme.dev"}""");
        Assert.Equal("""{"authorization":"[REDACTED:authorization]","email":"[REDACTED:email]"}""", SecretRedaction.Apply(options, value, Body)!.Value.GetRawText());
    }

    [Fact]
    public void A_custom_redactor_returning_an_undefined_value_fails_the_write()
    {
        var options = new SecretRedactionOptions { CustomRedactor = new UndefinedRedactor() };
        var e = Assert.Throws<InvalidOperationException>(() => SecretRedaction.Apply(options, Parse("{}"), Body));
        Assert.Contains("agent_steps.request_body", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_built_in_names_are_the_documented_ones()
    {
        foreach (var name in new[] { "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "set-cookie", "access_token",
                                     "refresh_token", "client_secret", "secret_key", "password", "private_key", "aws_secret_access_key", "x-amz-security-token", "session_token" })
        {
            Assert.Contains(name, DefaultSecretRedactor.BuiltInNames);
        }
        Assert.Equal("[REDACTED:", DefaultSecretRedactor.MarkerPrefix);
    }

    private sealed class RecordingRedactor : ISecretRedactor
    {
        public List<(string Value, RedactionContext Context)> Calls { get; } = [];

        public JsonElement Redact(JsonElement value, RedactionContext context)
        {
            Calls.Add((value.GetRawText(), context));
            return Parse("""{"custom":true}""");
        }
    }

    private sealed class DropEmailsRedactor : ISecretRedactor
    {
        private readonly DefaultSecretRedactor _default = new();

        public JsonElement Redact(JsonElement value, RedactionContext context)
        {
            var redacted = _default.Redact(value, context);
            return Parse(redacted.GetRawText().Replace("\"dev@acme.dev\"", "\"[REDACTED:email]\"", StringComparison.Ordinal));
        }
    }

    private sealed class UndefinedRedactor : ISecretRedactor
    {
        public JsonElement Redact(JsonElement value, RedactionContext context) => default;
    }
}
