using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// <c>--json</c>: the same facts a table shows, for scripts. Property names are camelCase and
/// stable, enums are data-model.md's stored strings, instants are ISO-8601 UTC with microseconds,
/// and a stored JSON value is written as its exact stored text (key order, number spellings, escapes), never re-serialized.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Prompts and notes are shown as typed, not as \u escapes; the output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new IsoInstantConverter(), new StoredTextConverter(), new StoredNameConverterFactory(), new FlatConverter() },
    };

    public static void Write<T>(TextWriter writer, T value)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, Options));
    }

    private sealed class IsoInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Format.Iso(value));
    }

    /// <summary>A JSON value read from the store: its text as stored, byte for byte (the library keeps it in the element).</summary>
    private sealed class StoredTextConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonElement.ParseValue(ref reader);

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
    }

    /// <summary>The library's enums as the strings data-model.md stores (<see cref="StoredNames"/>).</summary>
    private sealed class StoredNameConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum && StoredNames.Has(typeToConvert);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(StoredNameConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class StoredNameConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            StoredNames.Parse<T>(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(StoredNames.Of(value));
    }

    /// <summary>
    /// Writes <see cref="FlatJson.Record"/>'s public properties (every one the library returns, in its
    /// order), then <see cref="FlatJson.Extra"/>'s, which replace a property of the same name.
    /// </summary>
    private sealed class FlatConverter : JsonConverter<FlatJson>
    {
        public override FlatJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, FlatJson value, JsonSerializerOptions options)
        {
            var names = options.PropertyNamingPolicy!;
            var replaced = value.Extra.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            writer.WriteStartObject();
            foreach (var property in value.Record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = names.ConvertName(property.Name);
                if (property.GetIndexParameters().Length > 0 || replaced.Contains(name))
                {
                    continue;
                }
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, property.GetValue(value.Record), property.PropertyType, options);
            }
            foreach (var (name, extra) in value.Extra)
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, extra, extra?.GetType() ?? typeof(object), options);
            }
            writer.WriteEndObject();
        }
    }
}

/// <summary>A record of the library written whole, flat, with the CLI's own properties after it (camelCase names).</summary>
internal sealed record FlatJson(object Record, IReadOnlyList<(string Name, object? Value)> Extra);
