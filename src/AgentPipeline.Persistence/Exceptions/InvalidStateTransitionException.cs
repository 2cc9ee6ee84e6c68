namespace AgentPipeline.Persistence;

/// <summary>
/// The row is in a state the requested transition may not leave (a terminal run, a passed or failed
/// phase, a completed invocation, a stopped sandbox, …). Nothing was written.
/// </summary>
public sealed class InvalidStateTransitionException : PipelinePersistenceException
{
    /// <summary>Creates the exception.</summary>
    public InvalidStateTransitionException(string table, string id, string currentState, string requestedState)
        : base($"{table} '{id}' is '{currentState}' and cannot move to '{requestedState}'.")
    {
        Table = table;
        Id = id;
        CurrentState = currentState;
        RequestedState = requestedState;
    }

    /// <summary>The same, with a message of the store's own that says what was refused and why.</summary>
    internal InvalidStateTransitionException(string table, string id, string currentState, string requestedState, string message)
        : base(message)
    {
        Table = table;
        Id = id;
        CurrentState = currentState;
        RequestedState = requestedState;
    }

    /// <summary>The table, e.g. <c>phase_results</c>.</summary>
    public string Table { get; }

    /// <summary>The row's id.</summary>
    public string Id { get; }

    /// <summary>The state stored now, as its stored string (e.g. <c>passed</c>).</summary>
    public string CurrentState { get; }

    /// <summary>The state the call asked for.</summary>
    public string RequestedState { get; }
}
