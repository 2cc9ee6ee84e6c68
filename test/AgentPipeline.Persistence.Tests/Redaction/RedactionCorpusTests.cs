using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentPipeline.Persistence.Redaction;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>
/// Every corpus sample goes through the store's entry point with default options: no planted secret survives,
/// a marker of the expected kind stands where each was, and everything else is as it came in.
/// </summary>
public sealed partial class RedactionCorpusTests
{
    [GeneratedRegex(@"\[REDACTED:([a-z0-9._\-]+)\]")]
    private static partial Regex MarkerRegex();

    [Fact]
    public void The_corpus_has_41_samples_with_55_planted_secrets_covering_every_provider_and_column()
    {
        var samples = RedactionCorpus.Samples;
        // Pinned at the real counts: a sample or a plant lost by an edit fails here rather than shrinking the proof.
        Assert.Equal(41, samples.Count);
        Assert.Equal(samples.Count, samples.Select(s => s.Name).Distinct().Count());
        foreach (var provider in new[] { "openai-chat", "openai-responses", "anthropic", "gemini", "vertex", "azure", "bedrock", "mistral", "groq", "openrouter", "cohere", "proxy", "har" })
        {
            Assert.Contains(samples, s => s.Name.StartsWith(provider, StringComparison.Ordinal));
        }
        foreach (var column in new[] { "response_headers", "request_body", "response_body", "provider_metadata" })
        {
            Assert.Contains(samples, s => s.Column == column && s.Kinds.Length > 0);
            Assert.Contains(samples, s => s.Column == column && s.Kinds.Length == 0);
        }
        Assert.Equal(55, samples.Sum(s => FakeSecrets.Materialize(s.Name, s.Template).Secrets.Count));
    }

    [Theory]
    [MemberData(nameof(RedactionCorpus.Names), MemberType = typeof(RedactionCorpus))]
    public void A_sample_is_stored_without_its_secrets_and_otherwise_unchanged(string name)
    {
        var sample = RedactionCorpus.Get(name);
        var (json, secrets) = RedactionCorpus.Materialize(sample);
        using var document = JsonDocument.Parse(json);
        var original = document.RootElement;
        var originalText = JsonLeaves.AllText(original);
        foreach (var secret in secrets)
        {
            Assert.Contains(secret.Value, originalText, StringComparison.Ordinal); // the plant took
        }
        Assert.Equal(sample.Kinds.Length == 0, secrets.Count == 0);

        var redacted = SecretRedaction.Apply(new SecretRedactionOptions(), original, sample.Context)!.Value;
        var raw = redacted.GetRawText();
        var text = JsonLeaves.AllText(redacted);

        // (a) no planted secret, nor any 10-character piece of its generated part, anywhere in what is stored.
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret.Value, raw, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Value, text, StringComparison.Ordinal);
            for (var i = 0; i + 10 <= secret.RandomPart.Length; i++)
            {
                var piece = secret.RandomPart.Substring(i, 10);
                Assert.False(text.Contains(piece, StringComparison.Ordinal), $"{secret.Placeholder}: '{piece}' survived");
            }
        }

        // (b) the markers are exactly the expected kinds.
        var kinds = MarkerRegex().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(sample.Kinds.Order(StringComparer.Ordinal), kinds.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("[REDACTED:", originalText, StringComparison.Ordinal);

        // (c) the same tree, key order included; a node differs only where a secret was, and there holds a marker.
        var before = JsonLeaves.Flatten(original);
        var after = JsonLeaves.Flatten(redacted);
        Assert.Equal(before.Select(n => n.Path), after.Select(n => n.Path));
        for (var i = 0; i < before.Count; i++)
        {
            var held = secrets.Where(s => before[i].Text.Contains(s.Value, StringComparison.Ordinal)).ToList();
            if (held.Count == 0)
            {
                Assert.Equal(before[i], after[i]);
            }
            else
            {
                Assert.Equal(JsonValueKind.String, after[i].Kind);
                Assert.Contains("[REDACTED:", after[i].Text, StringComparison.Ordinal);
            }
        }

        // (d) the look-alikes are untouched.
        foreach (var keep in RedactionCorpus.Keep(sample))
        {
            Assert.Contains(keep, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RedactionCorpus.Names), MemberType = typeof(RedactionCorpus))]
    public void Redacting_a_sample_twice_gives_what_redacting_it_once_gave(string name)
    {
        var sample = RedactionCorpus.Get(name);
        using var document = JsonDocument.Parse(RedactionCorpus.Materialize(sample).Json);
        var options = new SecretRedactionOptions();
        var once = SecretRedaction.Apply(options, document.RootElement, sample.Context)!.Value;
        var twice = SecretRedaction.Apply(options, once, sample.Context)!.Value;
        Assert.Equal(once.GetRawText(), twice.GetRawText());
        AssertSameMemory(once, twice);
    }

    [Theory]
    [MemberData(nameof(RedactionCorpus.Names), MemberType = typeof(RedactionCorpus))]
    public void Only_the_replaced_values_bytes_change(string name)
    {
        var sample = RedactionCorpus.Get(name);
        var json = RedactionCorpus.Materialize(sample).Json;
        using var document = JsonDocument.Parse(json);
        var redacted = SecretRedaction.Apply(new SecretRedactionOptions(), document.RootElement, sample.Context)!.Value.GetRawText();
        var input = document.RootElement.GetRawText();
        // Every byte outside the markers is the input's, in the input's order: layout, whitespace, escapes, numbers.
        var pieces = Regex.Split(redacted, @"\[REDACTED:[a-z0-9._\-]+\]");
        Assert.Equal(sample.Kinds.Length == 0, pieces.Length == 1);
        var pattern = "^" + string.Join(".*?", pieces.Select(Regex.Escape)) + "$";
        Assert.Matches(new Regex(pattern, RegexOptions.Singleline, TimeSpan.FromMinutes(1)), input);
    }

    [Fact]
    public void A_sample_without_secrets_comes_back_as_the_same_element()
    {
        foreach (var sample in RedactionCorpus.Samples.Where(s => s.Kinds.Length == 0))
        {
            using var document = JsonDocument.Parse(RedactionCorpus.Materialize(sample).Json);
            var result = SecretRedaction.Apply(new SecretRedactionOptions(), document.RootElement, sample.Context)!.Value;
            AssertSameMemory(document.RootElement, result);
        }
    }

    [Fact]
    public void Redacting_the_corpus_in_parallel_gives_the_sequential_results()
    {
        var options = new SecretRedactionOptions();
        var inputs = RedactionCorpus.Samples.Select(s => (s.Context, Json: RedactionCorpus.Materialize(s).Json)).ToArray();
        var expected = inputs.Select(i => Redact(options, i.Json, i.Context)).ToArray();
        var actual = new string[inputs.Length * 8];
        Parallel.For(0, actual.Length, i => actual[i] = Redact(options, inputs[i % inputs.Length].Json, inputs[i % inputs.Length].Context));
        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % inputs.Length], actual[i]);
        }
    }

    internal static void AssertSameMemory(JsonElement expected, JsonElement actual)
    {
        var a = JsonMarshal.GetRawUtf8Value(expected);
        var b = JsonMarshal.GetRawUtf8Value(actual);
        Assert.True(a.Overlaps(b, out var offset) && offset == 0 && a.Length == b.Length, "expected the very same element, not a copy");
    }

    private static string Redact(SecretRedactionOptions options, string json, RedactionContext context)
    {
        using var document = JsonDocument.Parse(json);
        return SecretRedaction.Apply(options, document.RootElement, context)!.Value.GetRawText();
    }
}
