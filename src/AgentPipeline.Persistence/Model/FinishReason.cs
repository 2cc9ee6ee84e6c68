namespace AgentPipeline.Persistence;

/// <summary>Why a model stopped generating (<c>finish_reason</c>).</summary>
public enum FinishReason
{
    /// <summary>Stored as <c>stop</c>.</summary>
    Stop,
    /// <summary>Stored as <c>length</c>.</summary>
    Length,
    /// <summary>Stored as <c>content-filter</c>.</summary>
    ContentFilter,
    /// <summary>Stored as <c>tool-calls</c>.</summary>
    ToolCalls,
    /// <summary>Stored as <c>error</c>.</summary>
    Error,
    /// <summary>Stored as <c>other</c>.</summary>
    Other,
}
