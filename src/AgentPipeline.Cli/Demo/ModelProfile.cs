using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>How one model provider names things, so the stored rows look like what its SDK returns.</summary>
/// <param name="Provider">model_provider.</param>
/// <param name="ModelId">The model id asked for.</param>
/// <param name="ResponseModelId">The dated id the provider answers with.</param>
/// <param name="RawStop">The provider's own finish reason for a final answer.</param>
/// <param name="RawToolCalls">The provider's own finish reason for a step that calls tools.</param>
/// <param name="ResponseIdPrefix">How the provider's response ids start.</param>
internal sealed record ModelProfile(
    string Provider, string ModelId, string ResponseModelId, string RawStop, string RawToolCalls, string ResponseIdPrefix)
{
    private static readonly ModelProfile Opus = new("anthropic", "claude-opus-4-1", "claude-opus-4-1-20250805", "end_turn", "tool_use", "msg_");
    private static readonly ModelProfile Sonnet = new("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "end_turn", "tool_use", "msg_");
    private static readonly ModelProfile Haiku = new("anthropic", "claude-haiku-4-5", "claude-haiku-4-5-20251001", "end_turn", "tool_use", "msg_");
    private static readonly ModelProfile Gpt = new("openai", "gpt-5", "gpt-5-2025-08-07", "stop", "tool_calls", "resp_");
    private static readonly ModelProfile Gemini = new("google", "gemini-2.5-pro", "gemini-2.5-pro", "STOP", "STOP", "");

    /// <summary>Judges run on other providers than the coders on purpose: a second opinion from another model family.</summary>
    public static ModelProfile For(AgentType agent) => agent switch
    {
        AgentType.Orchestrator => Opus,
        AgentType.Explorer => Haiku,
        AgentType.Coder => Sonnet,
        AgentType.Judge => Gpt,
        _ => Gemini,
    };

    /// <summary>What the SDK warns about each call; reasoning models on OpenAI ignore a temperature.</summary>
    public object[] Warnings => Provider == "openai"
        ? [new { type = "unsupported-setting", setting = "temperature", details = "temperature is not supported for reasoning models" }]
        : [];

    /// <summary>
    /// How long a call takes: time to first token, then output at the model's speed (larger models
    /// are slower). Only the look of the demo's durations depends on it.
    /// </summary>
    public TimeSpan Latency(TokenUsage usage)
    {
        var tokensPerSecond = ModelId switch
        {
            var id when id.Contains("opus", StringComparison.Ordinal) => 45d,
            var id when id.Contains("haiku", StringComparison.Ordinal) => 150d,
            _ => 80d,
        };
        return TimeSpan.FromSeconds(1.2 + Random.Shared.NextDouble() * 1.5 + (usage.OutputTokens ?? 0) / tokensPerSecond);
    }

    public string RawFinish(FinishReason reason) => reason == FinishReason.ToolCalls ? RawToolCalls : RawStop;

    /// <summary>The usage object as the provider reports it (usage_raw), which names things differently per provider.</summary>
    public object RawUsage(TokenUsage u) => Provider switch
    {
        "anthropic" => new Dictionary<string, long?>
        {
            ["input_tokens"] = u.InputNoCacheTokens,
            ["cache_creation_input_tokens"] = u.InputCacheWriteTokens,
            ["cache_read_input_tokens"] = u.InputCacheReadTokens,
            ["output_tokens"] = u.OutputTokens,
        },
        "openai" => new
        {
            input_tokens = u.InputTokens,
            input_tokens_details = new { cached_tokens = u.InputCacheReadTokens },
            output_tokens = u.OutputTokens,
            output_tokens_details = new { reasoning_tokens = u.OutputReasoningTokens },
            total_tokens = u.TotalTokens,
        },
        _ => new
        {
            promptTokenCount = u.InputTokens,
            cachedContentTokenCount = u.InputCacheReadTokens,
            candidatesTokenCount = u.OutputTextTokens,
            thoughtsTokenCount = u.OutputReasoningTokens,
            totalTokenCount = u.TotalTokens,
        },
    };

    /// <summary>provider_metadata: the provider-specific extras the SDK passes through.</summary>
    public object Metadata(TokenUsage u) => new Dictionary<string, object>
    {
        [Provider] = Provider switch
        {
            "anthropic" => new { cacheCreationInputTokens = u.InputCacheWriteTokens, stopSequence = (string?)null },
            "openai" => new { serviceTier = "default", reasoningTokens = u.OutputReasoningTokens },
            _ => (object)new { thoughtsTokenCount = u.OutputReasoningTokens, safetyRatings = Array.Empty<object>() },
        },
    };
}
