using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>Sums step usage into the invocation's totals, the way the SDK's totalUsage does.</summary>
internal sealed class UsageTotals
{
    private long _input;
    private long _output;
    private long _noCache;
    private long _cacheRead;
    private long _cacheWrite;
    private long _text;
    private long _reasoning;

    public void Add(TokenUsage usage)
    {
        _input += usage.InputTokens ?? 0;
        _output += usage.OutputTokens ?? 0;
        _noCache += usage.InputNoCacheTokens ?? 0;
        _cacheRead += usage.InputCacheReadTokens ?? 0;
        _cacheWrite += usage.InputCacheWriteTokens ?? 0;
        _text += usage.OutputTextTokens ?? 0;
        _reasoning += usage.OutputReasoningTokens ?? 0;
    }

    public TokenUsage ToUsage(ModelProfile model)
    {
        var usage = new TokenUsage
        {
            InputTokens = _input,
            OutputTokens = _output,
            TotalTokens = _input + _output,
            InputNoCacheTokens = _noCache,
            InputCacheReadTokens = _cacheRead,
            InputCacheWriteTokens = _cacheWrite,
            OutputTextTokens = _text,
            OutputReasoningTokens = _reasoning,
        };
        return usage with { Raw = Json.From(model.RawUsage(usage)) };
    }
}
