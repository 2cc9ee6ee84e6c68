using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// Removes credentials from a JSON value before the store writes it to <c>response_headers</c>,
/// <c>request_body</c>, <c>response_body</c> or <c>provider_metadata</c>.
/// </summary>
/// <remarks>
/// The built-in implementation is <see cref="DefaultSecretRedactor"/>. A custom implementation set as
/// <see cref="SecretRedactionOptions.CustomRedactor"/> replaces it entirely; it may wrap a
/// <see cref="DefaultSecretRedactor"/> to add rules of its own. Implementations must be thread-safe
/// (one instance serves every write of a <see cref="PipelineDb"/>) and deterministic: a replayed write
/// is recognised by comparing the redacted values, so the same input must always give the same output.
/// </remarks>
public interface ISecretRedactor
{
    /// <summary>Returns <paramref name="value"/> with its secrets replaced, or <paramref name="value"/> itself when it holds none.</summary>
    /// <param name="value">A defined JSON value (never <see cref="JsonValueKind.Undefined"/>).</param>
    /// <param name="context">The table and column the value is about to be written to.</param>
    /// <returns>A defined JSON value; returning <see cref="JsonValueKind.Undefined"/> makes the write fail.</returns>
    JsonElement Redact(JsonElement value, RedactionContext context);
}
