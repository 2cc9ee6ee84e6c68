using System.Runtime.CompilerServices;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The eight token columns and <c>usage_raw</c>, shared by agent_invocations and agent_steps: each
/// column's name next to the <see cref="TokenUsage"/> property it is read from. A class of its own
/// so that its statics exist before the tables built from them.
/// </summary>
internal static class UsageColumns
{
    private static readonly (string Name, string Property, Func<TokenUsage, long?> Get)[] Tokens =
    [
        ("input_tokens", nameof(TokenUsage.InputTokens), u => u.InputTokens),
        ("output_tokens", nameof(TokenUsage.OutputTokens), u => u.OutputTokens),
        ("total_tokens", nameof(TokenUsage.TotalTokens), u => u.TotalTokens),
        ("input_tokens_no_cache_tokens", nameof(TokenUsage.InputNoCacheTokens), u => u.InputNoCacheTokens),
        ("input_tokens_cache_read_tokens", nameof(TokenUsage.InputCacheReadTokens), u => u.InputCacheReadTokens),
        ("input_tokens_cache_write_tokens", nameof(TokenUsage.InputCacheWriteTokens), u => u.InputCacheWriteTokens),
        ("output_tokens_text_tokens", nameof(TokenUsage.OutputTextTokens), u => u.OutputTextTokens),
        ("output_tokens_reasoning_tokens", nameof(TokenUsage.OutputReasoningTokens), u => u.OutputReasoningTokens),
    ];

    private const string Raw = "usage_raw";

    /// <summary>The nine columns in table order: the token counts, then <c>usage_raw</c>.</summary>
    public static readonly Param[] Params = [.. Tokens.Select(t => new Param(t.Name, Col.Long)), new(Raw, Col.Json)];

    /// <summary>The token counts alone (not <c>usage_raw</c>).</summary>
    public static readonly Param[] Counts = Params[..Tokens.Length];

    /// <summary>
    /// The nine columns as a table definition's columns, read from the record's usage (all null
    /// without one); each count zero or more, named <c>data.Usage.InputTokens</c> and so on when it is not.
    /// </summary>
    public static Column<T>[] For<T>(Func<T, TokenUsage?> usage, [CallerArgumentExpression(nameof(usage))] string getter = "")
    {
        var field = Column<T>.Field(getter);
        var raw = field + "." + nameof(TokenUsage.Raw);
        return
        [
            .. Tokens.Select(t =>
            {
                var (get, name) = (t.Get, field + "." + t.Property);
                return Column<T>.Part(t.Name, Col.Long, d => usage(d) is { } u ? Check.NonNegative(get(u), name) : null);
            }),
            Column<T>.Part(Raw, Col.Json, d => usage(d) is { } u ? Check.Json(u.Raw, raw) : null),
        ];
    }
}
