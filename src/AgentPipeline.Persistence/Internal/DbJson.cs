using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

internal static class DbJson
{
    public static string ToText(JsonElement value) => value.GetRawText();

    public static JsonElement Parse(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static bool SemanticallyEqual(JsonElement? a, JsonElement? b) =>
        a is null || b is null ? a is null && b is null : JsonElement.DeepEquals(a.Value, b.Value);
}
