using System.Runtime.InteropServices;
using System.Text.Json;
using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence.Tests.StoredForms;

/// <summary>
/// The stored form of JSON whose strings hold what the store escapes (U+0000, lone surrogates,
/// U+FFFF): decoded, it is the caller's exact text; and text stored in the earlier form (every
/// string re-escaped minimally, lone surrogates as upper-case hex) still decodes to the same value.
/// </summary>
public sealed class JsonStoredTextTests
{
    public static TheoryData<string> Texts => new()
    {
        """{"stdout":"a\u0000b","exit":0}""",
        """{ "z" : "\ud800" ,  "a" : [ 1.50 , "\uDFFFx" ] , "n" : 1E+2 }""",
        """{"\u0000key":["\uffff","\uFFFF","￿","\ud83d\ude00","\ud800\ud83d\ude00"],"b":{"c":"tab\there\u0000"}}""",
        """["\\u0000 is text","\u0000\u0000","\ufffF0","\uffffu0041"]""",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Escaped_strings_decode_to_the_exact_text_and_the_stored_value_holds_no_NUL_or_lone_surrogate(string text)
    {
        var value = JsonDocument.Parse(text).RootElement;

        var stored = DbJson.ToText(value);

        Assert.NotEqual(text, stored);
        Assert.All(Strings(JsonDocument.Parse(stored).RootElement), s =>
            Assert.True(!s.Contains('\0', StringComparison.Ordinal) && !HasLoneSurrogate(s), $"stored string {s}"));
        Assert.Equal(text, DbJson.DecodeText(stored));
        Assert.True(DbJson.SemanticallyEqual(value, DbJson.Parse(stored)));
    }

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [DbJson.Unescape(JsonMarshal.GetRawUtf8Value(e)[1..^1], escaped: true)],
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p =>
            Strings(p.Value).Prepend(DbJson.Unescape(JsonMarshal.GetRawUtf8PropertyName(p), escaped: true))),
        _ => [],
    };

    private static bool HasLoneSurrogate(string s) =>
        s.Select((c, i) => char.IsHighSurrogate(c) ? i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 0 : 1
                         : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1])) ? 1 : 0).Sum() > 0;

    [Fact]
    public void Text_stored_in_the_earlier_form_decodes_to_the_same_value()
    {
        const string earlier = "{\"k\uFFFF0\":\"a\uFFFFuD800b\uFFFF\uFFFF\",\"n\":1}";

        var read = DbJson.Parse(earlier);

        Assert.True(DbJson.SemanticallyEqual(JsonDocument.Parse("""{"k\u0000":"a\ud800b\uffff","n":1}""").RootElement, read));
        Assert.Equal("""{"k\u0000":"a\uD800b""" + "\uFFFF\",\"n\":1}", DbJson.DecodeText(earlier));
    }
}
