using System.Text.Json;

namespace AgentPipeline.Persistence;

/// <summary>
/// Token counts as the model SDK reports them; the eight <c>*_tokens</c> columns plus
/// <c>usage_raw</c> of <c>agent_invocations</c> and <c>agent_steps</c>. Every count is
/// optional and, when given, must not be negative. Counts are 64-bit (<c>long</c>, as
/// Microsoft.Extensions.AI's <c>UsageDetails</c> reports them) and stored in 64-bit columns.
/// </summary>
public sealed record TokenUsage
{
    /// <summary><c>input_tokens</c>.</summary>
    public long? InputTokens { get; init; }
    /// <summary><c>output_tokens</c>.</summary>
    public long? OutputTokens { get; init; }
    /// <summary><c>total_tokens</c>.</summary>
    public long? TotalTokens { get; init; }
    /// <summary><c>input_tokens_no_cache_tokens</c>.</summary>
    public long? InputNoCacheTokens { get; init; }
    /// <summary><c>input_tokens_cache_read_tokens</c>.</summary>
    public long? InputCacheReadTokens { get; init; }
    /// <summary><c>input_tokens_cache_write_tokens</c>.</summary>
    public long? InputCacheWriteTokens { get; init; }
    /// <summary><c>output_tokens_text_tokens</c>.</summary>
    public long? OutputTextTokens { get; init; }
    /// <summary><c>output_tokens_reasoning_tokens</c>.</summary>
    public long? OutputReasoningTokens { get; init; }
    /// <summary><c>usage_raw</c>: the provider's usage object, untouched.</summary>
    public JsonElement? Raw { get; init; }
}
