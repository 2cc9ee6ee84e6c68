using System.Text.Json;

namespace AgentPipeline.Cli.Demo;

/// <summary>Builds the JSON column values the store takes.</summary>
internal static class Json
{
    public static JsonElement From(object value) => JsonSerializer.SerializeToElement(value);

    public static JsonElement EmptyArray { get; } = From(Array.Empty<object>());
}
