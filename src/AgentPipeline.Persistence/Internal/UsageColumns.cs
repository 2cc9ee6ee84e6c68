namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The eight token columns and <c>usage_raw</c>, shared by agent_invocations and agent_steps. A
/// class of its own so that its statics exist before the statements built from them (field
/// initializers across the files of a partial class run in no defined order).
/// </summary>
internal static class UsageColumns
{
    public static readonly Param[] Params =
    [
        new("input_tokens", Col.Long), new("output_tokens", Col.Long), new("total_tokens", Col.Long),
        new("input_tokens_no_cache_tokens", Col.Long), new("input_tokens_cache_read_tokens", Col.Long),
        new("input_tokens_cache_write_tokens", Col.Long), new("output_tokens_text_tokens", Col.Long),
        new("output_tokens_reasoning_tokens", Col.Long), new("usage_raw", Col.Json),
    ];

    public static object?[] Values(TokenUsage? u, string field) => u is null
        ? new object?[Params.Length]
        :
        [
            Check.NonNegative(u.InputTokens, field + ".InputTokens"),
            Check.NonNegative(u.OutputTokens, field + ".OutputTokens"),
            Check.NonNegative(u.TotalTokens, field + ".TotalTokens"),
            Check.NonNegative(u.InputNoCacheTokens, field + ".InputNoCacheTokens"),
            Check.NonNegative(u.InputCacheReadTokens, field + ".InputCacheReadTokens"),
            Check.NonNegative(u.InputCacheWriteTokens, field + ".InputCacheWriteTokens"),
            Check.NonNegative(u.OutputTextTokens, field + ".OutputTextTokens"),
            Check.NonNegative(u.OutputReasoningTokens, field + ".OutputReasoningTokens"),
            Check.Json(u.Raw, field + ".Raw"),
        ];
}
