using System.Text.Json;
using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence.Tests.StoredForms;

/// <summary>
/// The JSON comparison behind every replay check (<c>DbJson.SemanticallyEqual</c>): a replay whose JSON equals the
/// stored JSON is a no-op, any other is a conflict. Equal means: the same kinds, objects with the same set of names
/// (in any order) and equal values, arrays of the same length with equal items in order, strings with the same
/// characters (however escaped), numbers with the same decimal value (<c>1</c>, <c>1.0</c>, <c>1e0</c> and
/// <c>10e-1</c> are one number, as in <see cref="JsonElement.DeepEquals"/>; no rounding, so digits beyond double
/// precision count).
/// </summary>
public sealed class JsonComparisonTests
{
    /// <summary>Pairs that must compare unequal, whichever side is stored.</summary>
    public static TheoryData<string, string> Different => new()
    {
        // extra or missing key, at the top and nested
        { """{"a":1}""", """{"a":1,"b":2}""" },
        { """{"a":1}""", """{"a":1,"b":null}""" },
        { """{}""", """{"a":1}""" },
        { """{"a":{"b":1}}""", """{"a":{"b":1,"c":2}}""" },
        { """{"a":[{"b":1}]}""", """{"a":[{"b":1,"c":2}]}""" },
        { """[{"a":{"b":{"c":{}}}}]""", """[{"a":{"b":{"c":{"d":0}}}}]""" },
        // a key renamed, same count
        { """{"a":1,"b":2}""", """{"a":1,"c":2}""" },
        // nested value
        { """{"a":{"b":1}}""", """{"a":{"b":2}}""" },
        // arrays of different length, and the same items in another order
        { """[1,2]""", """[1,2,3]""" },
        { """[]""", """[null]""" },
        { """{"a":[[1],[2]]}""", """{"a":[[1],[2,2]]}""" },
        { """[1,2]""", """[2,1]""" },
        // numbers that differ only beyond double precision, and by sign
        { """1""", """1.0000000000000000000001""" },
        { """123456789012345678901234567890""", """123456789012345678901234567891""" },
        { """1""", """-1""" },
        // kinds
        { """1""", "\"1\"" },
        { """true""", "\"true\"" },
        { """null""", "\"null\"" },
        { """null""", """false""" },
        { """{}""", """[]""" },
        { "\"a\"", "\"A\"" },
        { "\"a\"", "\"a \"" },
    };

    /// <summary>Pairs that must compare equal, whichever side is stored.</summary>
    public static TheoryData<string, string> Same => new()
    {
        // key order, at every level
        { """{"a":1,"b":2}""", """{"b":2,"a":1}""" },
        { """{"x":{"a":[{"c":3,"d":4}],"b":2}}""", """{"x":{"b":2,"a":[{"d":4,"c":3}]}}""" },
        // one number written several ways
        { """1""", """1.0""" },
        { """1""", """1e0""" },
        { """1.0""", """1E+0""" },
        { """1""", """10e-1""" },
        { """{"n":[1,2.50]}""", """{"n":[1.0,2.5]}""" },
        // one string escaped several ways
        { "\"a\"", "\"\\u0061\"" },
        { "\"a/b\"", "\"a\\/b\"" },
        { """{"k\u00e9y":"é"}""", """{"kéy":"\u00e9"}""" },
        // whitespace
        { """{"a": [1, 2]}""", """{"a":[1,2]}""" },
    };

    [Theory]
    [MemberData(nameof(Different))]
    public void Different_json_is_unequal_both_ways(string a, string b)
    {
        Assert.False(DbJson.SemanticallyEqual(Json(a), Json(b)), $"{a} = {b}");
        Assert.False(DbJson.SemanticallyEqual(Json(b), Json(a)), $"{b} = {a}");
    }

    [Theory]
    [MemberData(nameof(Same))]
    public void Equal_json_is_equal_both_ways(string a, string b)
    {
        Assert.True(DbJson.SemanticallyEqual(Json(a), Json(b)), $"{a} ≠ {b}");
        Assert.True(DbJson.SemanticallyEqual(Json(b), Json(a)), $"{b} ≠ {a}");
        Assert.True(DbJson.SemanticallyEqual(Json(a), Json(a)));
    }

    [Fact]
    public void Sql_null_equals_only_sql_null()
    {
        Assert.True(DbJson.SemanticallyEqual(null, null));
        Assert.False(DbJson.SemanticallyEqual(null, Json("null")));
        Assert.False(DbJson.SemanticallyEqual(Json("null"), null));
        Assert.False(DbJson.SemanticallyEqual(Json("{}"), null));
    }

    [Fact]
    public void Lone_surrogates_compare_as_characters()
    {
        Assert.True(DbJson.SemanticallyEqual(Json("\"\\ud83d\""), Json("\"\\uD83D\"")));
        Assert.False(DbJson.SemanticallyEqual(Json("\"\\ud83d\""), Json("\"\\ud83e\"")));
        Assert.False(DbJson.SemanticallyEqual(Json("{\"\\ud83d\":1}"), Json("{\"\\ud83e\":1}")));
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
