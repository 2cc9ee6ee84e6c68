using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>The size cap of <see cref="PipelineDbOptions.MaxValueBytes"/>, checked before a statement runs.</summary>
internal static class ValueLimit
{
    public static void Check(string column, object? value, long maxBytes)
    {
        long bytes = value switch
        {
            JsonElement json => JsonMarshal.GetRawUtf8Value(json).Length,
            // A char is 1 to 3 UTF-8 bytes: count exactly only when the bound is in doubt.
            string text when (long)text.Length * 3 > maxBytes => Encoding.UTF8.GetByteCount(text),
            _ => 0,
        };
        if (bytes > maxBytes)
        {
            throw new ArgumentException(
                $"{column} is {bytes:N0} bytes, over the {maxBytes:N0}-byte limit for one value (PipelineDbOptions.MaxValueBytes). Nothing was written.",
                column);
        }
    }
}
