using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

// api.md rule 4, "nothing new is added under something that has ended". The creates check it in
// their own INSERT … SELECT (the parent's row must be open, and on PostgreSQL it is share-locked by
// that statement), so a completion racing an insert either waits for the insert's commit or makes
// it write nothing; these helpers only explain afterwards why an insert wrote nothing.
public static partial class PipelinePersistence
{
    /// <summary>The SQL condition "the run <c>r</c> has not ended" (a property: the statements of other files read it while they are built).</summary>
    private static string RunOpen => FeatureRuns.Open("r").Text;

    private static readonly Sql InvocationState = Statement.Select(AgentInvocations.Name, [AgentInvocations.CompletedAt], AgentInvocations.Id);

    private static readonly Sql StepInvocationState = new(
        "SELECT st.invocation_id, i.completed_at FROM {s}.agent_steps st JOIN {s}.agent_invocations i ON i.id = st.invocation_id WHERE st.id = @id",
        [P("id", Col.Guid)], [P("invocation_id", Col.Guid), P("completed_at", Col.Time)]);

    private static readonly Sql PhaseResultRunState = new(
        "SELECT p.run_id, r.current_phase FROM {s}.phase_results p JOIN {s}.feature_runs r ON r.id = p.run_id WHERE p.id = @id",
        [P("id", Col.Guid)], [P("run_id", Col.Guid), P("current_phase", Col.Text)]);

    /// <summary>Why a create under <paramref name="invocationId"/> wrote nothing, when the invocation is missing or completed.</summary>
    private static async Task RequireOpenInvocationAsync(Session session, Guid invocationId, string child, CancellationToken cancellationToken)
    {
        var state = await session.QueryRowAsync(InvocationState, [invocationId], cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException("agent_invocations", invocationId.ToString());
        if (state[0] is not null)
        {
            throw Ended("agent_invocations", invocationId, "completed", child);
        }
    }

    /// <summary>Why a tool call under <paramref name="stepId"/> wrote nothing, when the step is missing or its invocation completed.</summary>
    private static async Task RequireOpenStepAsync(Session session, Guid stepId, string child, CancellationToken cancellationToken)
    {
        var state = await session.QueryRowAsync(StepInvocationState, [stepId], cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException("agent_steps", stepId.ToString());
        if (state[1] is not null)
        {
            throw Ended("agent_invocations", (Guid)state[0]!, "completed", child);
        }
    }

    /// <summary>Why a create under <paramref name="runId"/> wrote nothing, when the run is missing or has ended.</summary>
    private static async Task RequireOpenRunAsync(Session session, Guid runId, string child, CancellationToken cancellationToken)
    {
        var state = await session.QueryRowAsync(RunPhase, [runId], cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException("feature_runs", runId.ToString());
        if ((string)state[0]! is "completed" or "failed")
        {
            throw Ended("feature_runs", runId, (string)state[0]!, child);
        }
    }

    /// <summary>Why a create under phase result <paramref name="phaseResultId"/> wrote nothing, when it is missing or its run has ended.</summary>
    private static async Task RequireOpenPhaseResultRunAsync(Session session, Guid phaseResultId, string child, CancellationToken cancellationToken)
    {
        var state = await session.QueryRowAsync(PhaseResultRunState, [phaseResultId], cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException("phase_results", phaseResultId.ToString());
        if ((string)state[1]! is "completed" or "failed")
        {
            throw Ended("feature_runs", (Guid)state[0]!, (string)state[1]!, child);
        }
    }

    /// <summary>A new row under a parent that has ended (and no stored row this call could be a replay of).</summary>
    private static InvalidStateTransitionException Ended(string table, Guid id, string state, string child) =>
        new(table, id.ToString(), state, $"new {child}",
            $"{table} '{id}' is '{state}': nothing new may be added under it, so the new {child} row was refused " +
            "(repeating a create whose row is already stored stays a no-op).");
}
