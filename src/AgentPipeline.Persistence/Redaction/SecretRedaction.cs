using System.Text.Json;

namespace AgentPipeline.Persistence.Redaction;

/// <summary>
/// The store's entry point: redacts one JSON column value before it is written. Which columns are
/// redacted is said by the table definitions (<c>RedactedJson</c> in <c>Internal/Tables</c>).
/// </summary>
internal static class SecretRedaction
{
    /// <summary>
    /// <paramref name="value"/> as it may be stored: unchanged when it is null or undefined (so argument checks still
    /// see it), when redaction is off, or when it holds no secret; otherwise with its secrets replaced by markers.
    /// </summary>
    /// <exception cref="ArgumentException">An extra secret name of <paramref name="options"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">A custom redactor returned an undefined value.</exception>
    public static JsonElement? Apply(SecretRedactionOptions options, JsonElement? value, RedactionContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Apply(options.CreateRedactor(), value, context);
    }

    /// <summary>As <see cref="Apply(SecretRedactionOptions, JsonElement?, RedactionContext)"/>, with a redactor resolved once (null = off).</summary>
    /// <exception cref="InvalidOperationException">The redactor returned an undefined value.</exception>
    public static JsonElement? Apply(ISecretRedactor? redactor, JsonElement? value, RedactionContext context)
    {
        if (redactor is null || value is not { ValueKind: not JsonValueKind.Undefined } defined)
        {
            return value;
        }
        var redacted = redactor.Redact(defined, context);
        return redacted.ValueKind == JsonValueKind.Undefined
            ? throw new InvalidOperationException(
                $"The secret redactor {redactor.GetType().Name} returned an undefined JsonElement for {context.Table}.{context.Column}; nothing was written.")
            : redacted;
    }
}
