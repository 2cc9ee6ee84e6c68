namespace AgentPipeline.Persistence.Internal.Waiting;

/// <summary>
/// A wake-up that is not lost: <see cref="Arm"/> before looking at the database, then await the
/// task it returned; a <see cref="Set"/> in between completes that task, so the look is repeated.
/// </summary>
internal sealed class Signal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Arm()
    {
        lock (_gate)
        {
            if (_next.Task.IsCompleted)
            {
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return _next.Task;
        }
    }

    public void Set()
    {
        lock (_gate)
        {
            _next.TrySetResult();
        }
    }
}

/// <summary>One call of <see cref="PipelinePersistence.WaitForCtaResolutionAsync"/>: the CTA it waits for and its wake-up.</summary>
internal sealed class CtaWaiter(Guid ctaId)
{
    public Guid CtaId { get; } = ctaId;

    /// <summary>The CTA's run, once read: failing the run times its CTAs out, which wakes its waiters.</summary>
    public Guid? RunId { get; set; }

    public Signal Signal { get; } = new();

    /// <summary>Set when the handle is disposed: the wait ends with it.</summary>
    public Exception? Failure { get; private set; }

    public void Fail(Exception failure)
    {
        Failure = failure;
        Signal.Set();
    }
}
