namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>The read API's records (invocations, steps, tool calls) with their shared values given back as written (<see cref="SharedReads"/>).</summary>
internal static class SharedRecords
{
    private static void Need(SharedReads reads, AgentStep s)
    {
        reads.Need(s.Content);
        reads.Need(s.RequestBody);
        reads.Need(s.ResponseBody);
    }

    private static void Need(SharedReads reads, AgentInvocation i)
    {
        reads.Need(i.SystemPrompt);
        reads.Need(i.InputMessages);
        reads.Need(i.OutputContent);
        reads.Need(i.ResponseMessages);
        reads.Need(i.ResponseBody);
        reads.Need(i.RequestBody);
    }

    private static void Need(SharedReads reads, ToolCall t)
    {
        reads.Need(t.Input);
        reads.Need(t.Output);
    }

    private static ToolCall Resolve(SharedReads reads, ToolCall t) =>
        SharedForm.IsShared(t.Input) || SharedForm.IsShared(t.Output) ? t with { Input = reads.Json(t.Input), Output = reads.Json(t.Output) } : t;

    private static AgentStep Resolve(SharedReads reads, AgentStep s) =>
        SharedForm.IsShared(s.Content) || SharedForm.IsShared(s.RequestBody) || SharedForm.IsShared(s.ResponseBody)
            ? s with { Content = reads.Json(s.Content), RequestBody = reads.Json(s.RequestBody), ResponseBody = reads.Json(s.ResponseBody) }
            : s;

    private static AgentInvocation Resolve(SharedReads reads, AgentInvocation i) =>
        SharedForm.IsShared(i.SystemPrompt) || SharedForm.IsShared(i.InputMessages) || SharedForm.IsShared(i.OutputContent)
        || SharedForm.IsShared(i.ResponseMessages) || SharedForm.IsShared(i.ResponseBody) || SharedForm.IsShared(i.RequestBody)
            ? i with
            {
                SystemPrompt = reads.Text(i.SystemPrompt), InputMessages = reads.Json(i.InputMessages), OutputContent = reads.Json(i.OutputContent),
                ResponseMessages = reads.Json(i.ResponseMessages), ResponseBody = reads.Json(i.ResponseBody), RequestBody = reads.Json(i.RequestBody),
            }
            : i;

    public static Task<AgentStep> ResolveAsync(Session session, AgentStep step, CancellationToken cancellationToken) =>
        OneAsync(session, step, step.RunId, Need, Resolve, cancellationToken);

    public static Task<AgentInvocation> ResolveAsync(Session session, AgentInvocation invocation, CancellationToken cancellationToken) =>
        OneAsync(session, invocation, invocation.RunId, Need, Resolve, cancellationToken);

    public static Task<ToolCall> ResolveAsync(Session session, ToolCall toolCall, CancellationToken cancellationToken) =>
        OneAsync(session, toolCall, toolCall.RunId, Need, Resolve, cancellationToken);

    // One record: its shared values' pieces read in one statement, then the record with them put back together.
    private static async Task<T> OneAsync<T>(Session session, T record, Guid runId, Action<SharedReads, T> need,
        Func<SharedReads, T, T> resolve, CancellationToken cancellationToken)
    {
        using var reads = new SharedReads();
        need(reads, record);
        if (!reads.Any)
        {
            return record;
        }
        await reads.LoadAsync(session, runId, wholeRun: false, cancellationToken).ConfigureAwait(false);
        return resolve(reads, record);
    }

    /// <summary>A run's invocations, steps and tool calls, resolved in place with one read of the run's pieces.</summary>
    public static async Task ResolveRunAsync(Session session, Guid runId, List<AgentInvocation> invocations, List<AgentStep> steps,
        List<ToolCall> toolCalls, CancellationToken cancellationToken)
    {
        using var reads = new SharedReads();
        foreach (var t in toolCalls)
        {
            Need(reads, t);
        }
        foreach (var i in invocations)
        {
            Need(reads, i);
        }
        foreach (var s in steps)
        {
            Need(reads, s);
        }
        if (!reads.Any)
        {
            return;
        }
        await reads.LoadAsync(session, runId, wholeRun: true, cancellationToken).ConfigureAwait(false);
        for (var n = 0; n < invocations.Count; n++)
        {
            invocations[n] = Resolve(reads, invocations[n]);
        }
        for (var n = 0; n < steps.Count; n++)
        {
            steps[n] = Resolve(reads, steps[n]);
        }
        for (var n = 0; n < toolCalls.Count; n++)
        {
            toolCalls[n] = Resolve(reads, toolCalls[n]);
        }
    }
}
