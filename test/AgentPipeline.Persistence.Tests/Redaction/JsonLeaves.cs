using System.Text.Json;

namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>A node of a JSON value: its path, its kind, and its text (a decoded string, a number's raw text, a container's size).</summary>
internal readonly record struct JsonNode(string Path, JsonValueKind Kind, string Text);

internal static class JsonLeaves
{
    /// <summary>Every node in document order, with property names in the path (so key order is compared too). Iterative: any depth.</summary>
    public static List<JsonNode> Flatten(JsonElement root)
    {
        var nodes = new List<JsonNode>();
        var stack = new Stack<(JsonElement Element, string Path)>();
        stack.Push((root, "$"));
        while (stack.TryPop(out var item))
        {
            var (e, path) = item;
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var properties = e.EnumerateObject().ToList();
                    nodes.Add(new JsonNode(path, e.ValueKind, properties.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    for (var i = properties.Count - 1; i >= 0; i--)
                    {
                        stack.Push((properties[i].Value, path + "[" + JsonSerializer.Serialize(properties[i].Name) + "]"));
                    }
                    break;
                case JsonValueKind.Array:
                    var length = e.GetArrayLength();
                    nodes.Add(new JsonNode(path, e.ValueKind, length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    for (var i = length - 1; i >= 0; i--)
                    {
                        stack.Push((e[i], path + "[" + i + "]"));
                    }
                    break;
                case JsonValueKind.String:
                    nodes.Add(new JsonNode(path, e.ValueKind, e.GetString()!));
                    break;
                default:
                    nodes.Add(new JsonNode(path, e.ValueKind, e.GetRawText()));
                    break;
            }
        }
        return nodes;
    }

    /// <summary>All decoded strings and property names, joined: what a reader of the column could ever see.</summary>
    public static string AllText(JsonElement root) =>
        string.Join("\n", Flatten(root).Select(n => n.Path + "=" + n.Text));
}
