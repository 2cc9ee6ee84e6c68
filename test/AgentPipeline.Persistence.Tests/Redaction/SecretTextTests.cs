using System.Text.Json;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>Credentials inside string values: each shape and each way of writing a name and its value; and look-alikes left alone.</summary>
public sealed class SecretTextTests
{
    private static readonly RedactionContext Body = new("agent_steps", "response_body");
    private static readonly DefaultSecretRedactor Redactor = new();

    // Templates are JSON string content; {{type}} plants a fake secret (FakeSecrets).
    [Theory]
    [InlineData("Authorization: Bearer {{opaque}}", "Authorization: [REDACTED:authorization]")]
    [InlineData("use Bearer {{opaque}} for now", "use Bearer [REDACTED:bearer-token] for now")]
    [InlineData("use bearer {{jwt}}", "use bearer [REDACTED:bearer-token]")]
    [InlineData("proxy sent Basic {{basic}} upstream", "proxy sent Basic [REDACTED:basic-credentials] upstream")]
    [InlineData("key {{openai}} leaked", "key [REDACTED:openai-key] leaked")]
    [InlineData("{{openai-proj}}", "[REDACTED:openai-key]")]
    [InlineData("{{openai-admin}}", "[REDACTED:openai-key]")]
    [InlineData("DeepSeek: {{deepseek}}.", "DeepSeek: [REDACTED:openai-key].")]
    [InlineData("({{anthropic}})", "([REDACTED:anthropic-key])")]
    [InlineData("{{openrouter}}", "[REDACTED:openrouter-key]")]
    [InlineData("google {{google}}", "google [REDACTED:google-api-key]")]
    [InlineData("{{ya29}}", "[REDACTED:google-oauth-token]")]
    [InlineData("id {{akia}} and {{asia}}", "id [REDACTED:aws-access-key-id] and [REDACTED:aws-access-key-id]")]
    [InlineData("{{ghp}} {{ghs}} {{github-pat}}", "[REDACTED:github-token] [REDACTED:github-token] [REDACTED:github-token]")]
    [InlineData("slack {{slack}}", "slack [REDACTED:slack-token]")]
    [InlineData("session={{jwt}}; Path=/", "session=[REDACTED:jwt]; Path=/")]
    [InlineData("{{gsk}} {{xai}} {{hf}}", "[REDACTED:groq-key] [REDACTED:xai-key] [REDACTED:huggingface-token]")]
    [InlineData("key file:\\n{{pem}}done", "key file:\n[REDACTED:private-key]\ndone")]
    [InlineData("GET https://generativelanguage.googleapis.com/v1beta/files?key={{google}}&alt=json", "GET https://generativelanguage.googleapis.com/v1beta/files?key=[REDACTED:key]&alt=json")]
    [InlineData("https://app.example/cb?state=s1&access_token={{opaque}}#top", "https://app.example/cb?state=s1&access_token=[REDACTED:access-token]#top")]
    [InlineData("https://api.example/v1?api_key={{mistral}}", "https://api.example/v1?api_key=[REDACTED:api-key]")]
    [InlineData("https://b.s3.amazonaws.com/o?X-Amz-Credential={{akia}}%2F20251104&X-Amz-Signature={{hex64}}", "https://b.s3.amazonaws.com/o?X-Amz-Credential=[REDACTED:x-amz-credential]&X-Amz-Signature=[REDACTED:x-amz-signature]")]
    [InlineData("blob.core.windows.net/c/f.png?sv=2022-11-02&sig=%2B{{sas}}", "blob.core.windows.net/c/f.png?sv=2022-11-02&sig=[REDACTED:sig]")]
    [InlineData("postgres://app:{{password}}@db:5432/orders", "postgres://app:[REDACTED:url-password]@db:5432/orders")]
    [InlineData("Host=db;Username=app;Password={{password}};Database=orders", "Host=db;Username=app;Password=[REDACTED:password];Database=orders")]
    [InlineData("Cookie: sid={{session}}; theme=dark\\nAccept: */*", "Cookie: [REDACTED:cookie]\nAccept: */*")]
    [InlineData("{\\\"client_secret\\\": \\\"{{opaque}}\\\", \\\"scope\\\": \\\"read\\\"}", "{\"client_secret\": \"[REDACTED:client-secret]\", \"scope\": \"read\"}")]
    [InlineData("X-Goog-Api-Key: {{google}}", "X-Goog-Api-Key: [REDACTED:x-goog-api-key]")]
    [InlineData("api-key: {{hex32}}", "api-key: [REDACTED:api-key]")]
    [InlineData("export MY_SERVICE_TOKEN={{opaque}}", "export MY_SERVICE_TOKEN=[REDACTED:my_service_token]")]
    [InlineData("COHERE_API_KEY='{{cohere}}'", "COHERE_API_KEY='[REDACTED:cohere_api_key]'")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={{aws-secret}};EndpointSuffix=core.windows.net", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[REDACTED:account-key];EndpointSuffix=core.windows.net")]
    public void A_credential_inside_text_is_replaced_and_the_text_around_it_kept(string template, string expected)
    {
        var (json, secrets) = FakeSecrets.Materialize(template, "\"" + template + "\"");
        Assert.NotEmpty(secrets);
        using var document = JsonDocument.Parse(json);

        var redacted = Redactor.Redact(document.RootElement, Body);

        Assert.Equal(expected, redacted.GetString());
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret.RandomPart, redacted.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("resp_01")]
    [InlineData("msg_01XFDUDYJgAACzvnptvVoYEL")]
    [InlineData("chatcmpl-AZ0123456789abcdefGHIJKLMN")]
    [InlineData("toolu_01A09q90qw90lq917835lq9")]
    [InlineData("call_abc123DEF456ghi789")]
    [InlineData("gen-1762251170-AbCdEfGhIjKlMnOpQrSt")]
    [InlineData("0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha1 4b825dc642cb6eb9a060e54bf8d69288fbee4904")]
    [InlineData("gAAAAABpCq1x3Vb9kR2LmQ7nT4wZ8yH1cF6jP0sD5gK3aE9uX2oI7vN4bM1qW8eR5tY6zU3iO0pL9kJ2hG7fD4sA1xC8vB5nM6zQ3wE0rT9yU==")]
    [InlineData("sk-learn is a nickname for scikit-learn")]
    [InlineData("sk-learn-tutorial-2024-edition")]
    [InlineData("task-1234567890abcdefABCDEF and risk-3f9c2a7b1e0d4c6a8b5f")]
    [InlineData("ghp_short")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9 is only a JWT header")]
    [InlineData("AKIA is the prefix of AWS access key ids; AKIA1234 is too short")]
    [InlineData("The bearer of bad news")]
    [InlineData("Bearer YOUR_API_KEY")]
    [InlineData("Authorization: Bearer <token>")]
    [InlineData("Basic authentication is disabled")]
    [InlineData("WWW-Authenticate: Basic realm=\\\"corp\\\"")]
    [InlineData("Set the Authorization header and the x-api-key header.")]
    [InlineData("invalid x-api-key")]
    [InlineData("password: string;")]
    [InlineData("password: ********")]
    [InlineData("apiKey: process.env.OPENAI_API_KEY,")]
    [InlineData("api_key=os.environ[\\\"OPENAI_API_KEY\\\"]")]
    [InlineData("password = hash(password)")]
    [InlineData("const password = await prompt();")]
    [InlineData("api_key=api_key")]
    [InlineData("if (apiKey == null || password != confirm) return;")]
    [InlineData("export OPENAI_API_KEY=$OPENAI_API_KEY")]
    [InlineData("api_key: ${{ secrets.OPENAI_API_KEY }}")]
    [InlineData("token: null")]
    [InlineData("set api_key=%OPENAI_API_KEY%")]
    [InlineData("eos_token=</s>")]
    [InlineData("max_tokens=4096, input_tokens: 1200")]
    [InlineData("key=value pairs; see https://example.com/search?q=api+key&page=2")]
    [InlineData("https://user@github.com/acme/orders.git")]
    [InlineData("mailto:dev@acme.dev")]
    [InlineData("SELECT * FROM users WHERE password_hash = $1")]
    [InlineData("R\u00e9sum\u00e9 \u2713 \u2014 na\u00efve caf\u00e9 \ud83d\ude00")]
    [InlineData("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")]
    public void A_look_alike_is_left_exactly_as_it_was(string text)
    {
        using var document = JsonDocument.Parse("\"" + text + "\"");
        RedactionCorpusTests.AssertSameMemory(document.RootElement, Redactor.Redact(document.RootElement, Body));
    }

    [Fact]
    public void Key_shapes_inside_base64_data_are_not_keys()
    {
        var json = "{\"data\":\"" + RedactionCorpus.ImageBase64 + "\"}";
        Assert.Contains("AK" + "IAQWERTYUIOPASDFGH", json, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        RedactionCorpusTests.AssertSameMemory(document.RootElement, Redactor.Redact(document.RootElement, Body));
    }

    [Fact]
    public void Markers_are_well_formed_and_say_nothing_about_the_secret()
    {
        foreach (var sample in RedactionCorpus.Samples)
        {
            var (json, secrets) = RedactionCorpus.Materialize(sample);
            using var document = JsonDocument.Parse(json);
            var text = Redactor.Redact(document.RootElement, sample.Context).GetRawText();
            foreach (var marker in System.Text.RegularExpressions.Regex.Matches(text, @"\[REDACTED[^\]]*\]").Select(m => m.Value))
            {
                Assert.Matches(@"^\[REDACTED:[a-z0-9._\-]{1,64}\]$", marker);
                Assert.DoesNotMatch("[0-9]{2,}", marker); // no lengths or counts
            }
        }
    }
}
