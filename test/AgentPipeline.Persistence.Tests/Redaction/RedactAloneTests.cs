using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>
/// <see cref="DefaultSecretRedactor.ChildrenRedactAlone"/>, on which a step's request reuses the previous step's
/// redaction (docs/storage.md): when it says yes, redacting the whole object gives, byte for byte, the object with
/// each property value, and each item of an array value, redacted alone.
/// </summary>
public sealed class RedactAloneTests
{
    private static readonly DefaultSecretRedactor Redactor = new();

    /// <summary>The whole redacted as the store does, and the same stitched from its children redacted alone.</summary>
    private static (string Whole, string Stitched) Both(JsonElement root, RedactionContext context)
    {
        var raw = JsonMarshal.GetRawUtf8Value(root);
        var stitched = new List<byte>();
        var at = 0;
        foreach (var property in root.EnumerateObject())
        {
            IEnumerable<JsonElement> units = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray() : [property.Value];
            foreach (var unit in units)
            {
                var bytes = JsonMarshal.GetRawUtf8Value(unit);
                Assert.True(raw.Overlaps(bytes, out var offset));
                stitched.AddRange(raw[at..offset].ToArray());
                stitched.AddRange(JsonMarshal.GetRawUtf8Value(Redactor.Redact(unit, context)).ToArray());
                at = offset + bytes.Length;
            }
        }
        stitched.AddRange(raw[at..].ToArray());
        return (JsonMarshal.GetRawUtf8Value(Redactor.Redact(root, context)).ToArray() is var whole ? Encoding.UTF8.GetString(whole) : "",
            Encoding.UTF8.GetString([.. stitched]));
    }

    [Fact]
    public void Every_corpus_value_that_qualifies_redacts_alone_and_so_does_a_request_that_repeats_it_in_its_messages()
    {
        var qualified = 0;
        var refused = 0;
        foreach (var sample in RedactionCorpus.Samples.Where(s => !s.Context.IsHeaders))
        {
            var (json, _) = RedactionCorpus.Materialize(sample);
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            if (Redactor.ChildrenRedactAlone(root))
            {
                qualified++;
                var (whole, stitched) = Both(root, sample.Context);
                Assert.Equal(whole, stitched);
            }
            else
            {
                refused++;
            }
            // The sample as a message of a request, and as its tools: the request qualifies, and its secrets go.
            using var request = JsonDocument.Parse($$"""{"model":"m","messages":[{"role":"user","content":"hi"}, {{json}}, {{json}}],"tools":{{json}},"stream":true}""");
            Assert.True(Redactor.ChildrenRedactAlone(request.RootElement), sample.Name);
            var (wholeRequest, stitchedRequest) = Both(request.RootElement, sample.Context);
            Assert.Equal(wholeRequest, stitchedRequest);
        }
        Assert.True(qualified >= 10, $"{qualified} samples qualified");
        Assert.True(refused >= 1, $"{refused} samples refused");
    }

    public static TheoryData<string> Refused => new()
    {
        // A secret's name at the top: its value is replaced whole, not searched.
        """{"api_key":"abc","messages":[]}""",
        """{"password":["hunter2","x"],"messages":[]}""",
        // A header list: its pairs are read as headers.
        """{"headers":[["authorization","Bearer abc"]],"messages":[]}""",
        // A {name, value} entry at the top.
        """{"name":"Authorization","value":"Bearer abc"}""",
        // Log probabilities.
        """{"top_logprobs":[{"token":"x","logprob":-1}]}""",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_object_whose_children_take_a_context_from_it_does_not_qualify(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.False(Redactor.ChildrenRedactAlone(document.RootElement));
    }
}
