using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// Plays one phase of a run the way a phase orchestrator would: start the phase, read the run's
/// notes, spawn sub-agents in parallel, ask the human when the phase needs it, leave a note, and
/// pass or fail the phase.
/// </summary>
internal sealed class PhaseRunner(PipelineDb db, DemoClock time, Random rng, RunContext run)
{
    private const string TimeoutMessage = "No answer within 15 minutes; the request timed out.";
    private static readonly TimeSpan HumanTimeout = TimeSpan.FromMinutes(15);

    /// <param name="phase">The phase to play.</param>
    /// <param name="fail">The phase fails: a question to the human times out and there is no safe default.</param>
    /// <param name="choiceTimesOut">Judging only: nobody answers the choice, and the judges' recommendation stands.</param>
    /// <param name="awaitApproval">Pr only: the approval is asked and left open, and the run stops there, waiting.</param>
    /// <param name="cancellationToken">Cancels the simulation.</param>
    /// <returns>How the phase ended; anything but <see cref="PhaseEnd.Passed"/> ends the simulated run.</returns>
    public async Task<PhaseEnd> RunAsync(FeaturePhase phase, bool fail, bool choiceTimesOut, bool awaitApproval, CancellationToken cancellationToken)
    {
        await PipelinePersistence.UpdateFeatureRunPhaseAsync(db, run.RunId, phase, cancellationToken);
        var phaseResultId = await PipelinePersistence.CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run.RunId, Phase = phase }, cancellationToken);
        var notes = await PipelinePersistence.GetMemoryRecordsAsync(db, run.RunId, cancellationToken);
        var orchestrator = await AgentSession.StartAsync(db, time, rng, new AgentStart(
            phaseResultId, phase, AgentType.Orchestrator, null, PhasePrompts.Orchestrator(phase),
            PhasePrompts.OrchestratorTask(phase, run.Scenario, notes)), cancellationToken);

        if (phase == FeaturePhase.Pr)
        {
            // Nothing leaves the sandbox without the requester's go-ahead.
            var approval = await AskApprovalAsync(phaseResultId, orchestrator, answer: !awaitApproval, cancellationToken);
            await orchestrator.StepAsync("Asking for approval before anything is pushed.", [approval], cancellationToken);
            if (awaitApproval)
            {
                // The orchestrator is suspended on the open question: its invocation and the phase stay running.
                return PhaseEnd.Waiting;
            }
        }

        var plans = AgentScripts.For(phase, run, rng, fail);
        var outcomes = await Task.WhenAll(plans.Select(plan => RunSubAgentAsync(phase, phaseResultId, orchestrator.Id, plan, cancellationToken)));
        await orchestrator.StepAsync($"Spawning {Tools.Count(outcomes.Length)} sub-agents in parallel.", [.. outcomes.Select(Tools.Spawn)], cancellationToken);

        var tools = new List<ToolUse>();
        if (fail)
        {
            tools.Add(await AskAndTimeOutAsync(phase, phaseResultId, orchestrator, cancellationToken));
        }
        else if (phase == FeaturePhase.Judging)
        {
            tools.Add(await AskChoiceAsync(phaseResultId, orchestrator, choiceTimesOut, cancellationToken));
        }
        tools.Add(await orchestrator.WriteMemoryAsync(OrchestratorNote(phase, fail, choiceTimesOut), cancellationToken));
        await orchestrator.StepAsync(fail ? "Asking the human how to proceed." : "Recording what later phases need.", tools, cancellationToken);
        await orchestrator.StepAsync(Summary(phase, fail, outcomes.Length), [], cancellationToken);
        await orchestrator.CompleteAsync(cancellationToken);

        if (fail)
        {
            await PipelinePersistence.FailPhaseResultAsync(db, phaseResultId, cancellationToken);
            return PhaseEnd.Failed;
        }
        await PipelinePersistence.PassPhaseResultAsync(db, phaseResultId, Json.From(Output(phase, choiceTimesOut)), cancellationToken);
        return PhaseEnd.Passed;
    }

    private async Task<SubAgentOutcome> RunSubAgentAsync(FeaturePhase phase, Guid phaseResultId, Guid parentId, AgentPlan plan, CancellationToken cancellationToken)
    {
        var session = await AgentSession.StartAsync(db, time, new Random(plan.Seed), new AgentStart(
            phaseResultId, phase, plan.Type, parentId, PhasePrompts.SubAgent(plan.Type), plan.Task), cancellationToken);
        if (plan.SubAgents.Count > 0)
        {
            var outcomes = await Task.WhenAll(plan.SubAgents.Select(sub => RunSubAgentAsync(phase, phaseResultId, session.Id, sub, cancellationToken)));
            await session.StepAsync($"Delegating to {Tools.Count(outcomes.Length)} sub-agent(s) first.", [.. outcomes.Select(Tools.Spawn)], cancellationToken);
        }
        foreach (var step in plan.Steps)
        {
            var tools = step.Note is { } note ? [.. step.Tools, await session.WriteMemoryAsync(note, cancellationToken)] : step.Tools;
            await session.StepAsync(step.Text, tools, cancellationToken);
        }
        await session.StepAsync(plan.FinalText, [], cancellationToken);
        await session.CompleteAsync(cancellationToken);
        return new SubAgentOutcome(session.Id, plan.Type, plan.Task, plan.FinalText);
    }

    private async Task<ToolUse> AskApprovalAsync(Guid phaseResultId, AgentSession orchestrator, bool answer, CancellationToken cancellationToken)
    {
        var message = $"Open a pull request from {run.Branch} into main ({Tools.Count(run.FilesChanged.Count)} files changed, tests passing)?";
        var call = new ToolUse("request_human_feedback", "Ask to open the pull request", new { kind = "approval", message }, "", ToolOutputType.Json);
        var ctaId = await PipelinePersistence.CreateCtaEventAsync(db, new NewCtaEvent
        {
            RunId = run.RunId,
            PhaseResultId = phaseResultId,
            InvocationId = orchestrator.Id,
            ToolCallId = call.CallId,
            Kind = CtaKind.Approval,
            RequestMessage = message,
        }, cancellationToken);
        if (!answer)
        {
            // Pending: the tool has no result until a human answers (agentpipe cta answer).
            return call with { Output = null, OutputType = null };
        }
        const string reason = "Looks good, ship it.";
        time.Advance(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(8));
        await PipelinePersistence.CompleteCtaEventAsync(db, ctaId, CtaResponse.Approve(reason), cancellationToken);
        return call with { Output = new { ctaId, approved = true, reason } };
    }

    private async Task<ToolUse> AskChoiceAsync(Guid phaseResultId, AgentSession orchestrator, bool timesOut, CancellationToken cancellationToken)
    {
        var recommended = run.Recommended ?? run.Shortlist[0];
        var prompt = $"The judges recommend {recommended.Label}. Which approach should I implement?";
        var options = run.Shortlist.Select(o => new { id = o.Id, label = o.Label }).ToArray();
        var call = new ToolUse("request_human_feedback", "Ask which approach to implement", new { kind = "choice", prompt, options }, "", ToolOutputType.Json);
        var ctaId = await PipelinePersistence.CreateCtaEventAsync(db, new NewCtaEvent
        {
            RunId = run.RunId,
            PhaseResultId = phaseResultId,
            InvocationId = orchestrator.Id,
            ToolCallId = call.CallId,
            Kind = CtaKind.Choice,
            RequestPrompt = prompt,
            RequestOptions = run.Shortlist,
        }, cancellationToken);
        if (timesOut)
        {
            // Not fatal here: the judges' recommendation is a safe default.
            time.Advance(HumanTimeout);
            await PipelinePersistence.TimeoutCtaEventAsync(db, ctaId, cancellationToken);
            run.Chosen = recommended;
            var message = $"No answer within 15 minutes; going with the judges' recommendation, {recommended.Label}.";
            return call with
            {
                Output = message,
                OutputType = ToolOutputType.ErrorText,
                Error = new { name = "HumanFeedbackTimeout", message, ctaId },
            };
        }
        // Humans mostly follow the judges, not always.
        var pick = rng.Next(4) > 0 ? recommended : run.Shortlist[rng.Next(run.Shortlist.Count)];
        time.Advance(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(6));
        await PipelinePersistence.CompleteCtaEventAsync(db, ctaId, CtaResponse.Choose(pick.Id), cancellationToken);
        run.Chosen = pick;
        return call with { Output = new { ctaId, selectedId = pick.Id } };
    }

    private async Task<ToolUse> AskAndTimeOutAsync(FeaturePhase phase, Guid phaseResultId, AgentSession orchestrator, CancellationToken cancellationToken)
    {
        var (prompt, placeholder) = phase == FeaturePhase.Judging
            ? ($"The judges are split between {string.Join(" and ", run.Shortlist.Take(2).Select(o => o.Label))}. Which matters more here: latency or operational simplicity?",
               "e.g. simplicity: we run no Redis in production")
            : ("The integration tests need a DATABASE_URL for a seeded test database, which this sandbox does not have. How should I proceed?",
               "e.g. mock the repository layer, or paste a connection string");
        var call = new ToolUse("request_human_feedback", "Ask the human how to proceed", new { kind = "text", prompt, placeholder },
            TimeoutMessage, ToolOutputType.ErrorText);
        var ctaId = await PipelinePersistence.CreateCtaEventAsync(db, new NewCtaEvent
        {
            RunId = run.RunId,
            PhaseResultId = phaseResultId,
            InvocationId = orchestrator.Id,
            ToolCallId = call.CallId,
            Kind = CtaKind.Text,
            RequestPrompt = prompt,
            RequestPlaceholder = placeholder,
        }, cancellationToken);
        time.Advance(HumanTimeout);
        await PipelinePersistence.TimeoutCtaEventAsync(db, ctaId, cancellationToken);
        return call with { Error = new { name = "HumanFeedbackTimeout", message = TimeoutMessage, ctaId } };
    }

    private MemoryNote OrchestratorNote(FeaturePhase phase, bool fail, bool choiceTimedOut)
    {
        var s = run.Scenario;
        if (fail)
        {
            return new MemoryNote(MemoryKind.Failure, $"The {Tools.Describe(phase)} phase stopped: a question to the human timed out and there is no safe default.");
        }
        return phase switch
        {
            FeaturePhase.Analysis => new MemoryNote(MemoryKind.Constraint, s.Constraint),
            FeaturePhase.Approaches => new MemoryNote(MemoryKind.Decision, $"Shortlisted: {string.Join("; ", run.Shortlist.Select(o => o.Label))}."),
            FeaturePhase.Judging when choiceTimedOut => new MemoryNote(MemoryKind.Decision,
                $"Implement {run.ChosenTitle}: the judges recommended it and the human did not answer within 15 minutes, so the recommendation stands."),
            FeaturePhase.Judging => new MemoryNote(MemoryKind.Decision, run.Chosen == run.Recommended
                ? $"Implement {run.ChosenTitle}: the judges recommended it and the human agreed."
                : $"Implement {run.ChosenTitle}: the human's pick over the judges' recommendation, {run.Recommended?.Label}."),
            FeaturePhase.Implementation => new MemoryNote(MemoryKind.Insight,
                $"{Tools.Count(run.FilesChanged.Count)} files changed and {s.TestCommand} passes; review {s.Files[2]} closely, it wires the change in."),
            _ => new MemoryNote(MemoryKind.Decision, $"Opened PR #{Tools.Count(run.PrNumber)} from {run.Branch}, approved by the requester."),
        };
    }

    private string Summary(FeaturePhase phase, bool fail, int agents) => fail
        ? $"Stopping: the human did not answer and there is no safe default. Failing the {Tools.Describe(phase)} phase."
        : phase switch
        {
            FeaturePhase.Analysis => $"Analysis done: {Tools.Count(agents)} explorers mapped the code; the key constraint is noted.",
            FeaturePhase.Approaches => $"{Tools.Count(run.Shortlist.Count)} approaches drafted and shortlisted.",
            FeaturePhase.Judging => $"Going with {run.ChosenTitle}.",
            FeaturePhase.Implementation => $"Implemented {run.ChosenTitle}; tests pass.",
            _ => $"Pull request open: {run.PrUrl}.",
        };

    private object Output(FeaturePhase phase, bool choiceTimedOut)
    {
        var s = run.Scenario;
        return phase switch
        {
            FeaturePhase.Analysis => new { summary = $"{s.Keyword} is defined in {s.MainFile} and wired in {s.Files[2]}.", relevantFiles = s.Files, constraints = new[] { s.Constraint } },
            FeaturePhase.Approaches => new { approaches = run.Shortlist.Select(o => new { id = o.Id, label = o.Label }).ToArray() },
            FeaturePhase.Judging => new { recommended = run.Recommended?.Id, chosen = run.Chosen?.Id, decidedBy = choiceTimedOut ? "judges" : "human" },
            FeaturePhase.Implementation => new { filesChanged = run.FilesChanged, testCommand = s.TestCommand, testsPassed = true },
            _ => (object)new { url = run.PrUrl, number = run.PrNumber, branch = run.Branch, baseBranch = "main" },
        };
    }
}
