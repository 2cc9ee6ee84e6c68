using System.Globalization;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// api.md rule 4, "nothing new under something that has ended": new rows under a completed
/// invocation or an ended run are refused (a replay of a stored row stays a no-op); a run completes
/// only with nothing running or open under it, and failing it ends what is; a completion without
/// usage sums its steps. The rules hold through group commit and under real concurrency.
/// </summary>
public abstract class StateRuleTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static long? AsLong(object? v) => v is null ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    private async Task<Guid> CompletedInvocationAsync(Guid phase)
    {
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Orchestrator });
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { FinishReason = FinishReason.Stop });
        return invocation;
    }

    [Fact]
    public async Task A_step_under_a_completed_invocation_is_refused_naming_the_invocation_and_its_state()
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var invocation = await CompletedInvocationAsync(phase);

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0 }));

        Assert.Equal(("agent_invocations", invocation.ToString(), "completed"), (e.Table, e.Id, e.CurrentState));
        Assert.Contains(invocation.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains("agent_steps", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
    }

    [Fact]
    public async Task A_tool_call_under_a_completed_invocation_is_refused_naming_the_invocation()
    {
        var (_, invocation, step) = await Seed.StepAsync(Db);
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { FinishReason = FinishReason.ToolCalls });

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "call_late", ToolName = "bash" }));

        Assert.Equal(("agent_invocations", invocation.ToString(), "completed"), (e.Table, e.Id, e.CurrentState));
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Memory_records_ctas_and_phase_results_under_an_ended_run_are_refused_naming_the_run_and_its_state(bool completed)
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, phase, null);
        if (completed)
        {
            await CompleteFeatureRunAsync(Db, run);
        }
        else
        {
            await FailFeatureRunAsync(Db, run);
        }
        var state = completed ? "completed" : "failed";

        var memory = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "too late" }));
        var cta = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Merge?" }));
        var phaseResult = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Pr }));

        foreach (var (e, child) in new[] { (memory, "memory_records"), (cta, "cta_events"), (phaseResult, "phase_results") })
        {
            Assert.Equal(("feature_runs", run.ToString(), state), (e.Table, e.Id, e.CurrentState));
            Assert.Contains(child, e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, await Fixture.CountAsync("memory_records", "run_id = @r", ("r", run)));
        Assert.Equal(0, await Fixture.CountAsync("cta_events", "run_id = @r", ("r", run)));
        Assert.Equal(1, await Fixture.CountAsync("phase_results", "run_id = @r", ("r", run)));
    }

    [Fact]
    public async Task Replays_of_rows_stored_before_the_end_stay_no_ops_after_it()
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var stepWithId = new NewAgentStep { Id = Guid.NewGuid(), InvocationId = invocation, StepNumber = 0, Text = "first" };
        var stepWithoutId = new NewAgentStep { InvocationId = invocation, StepNumber = 1, Text = "second" };
        var step = await CreateAgentStepAsync(Db, stepWithId);
        var secondStep = await CreateAgentStepAsync(Db, stepWithoutId);
        var toolCall = new NewToolCall { Id = Guid.NewGuid(), StepId = step, ToolCallId = "call_1", ToolName = "read" };
        var toolCallWithoutId = new NewToolCall { StepId = step, ToolCallId = "call_2", ToolName = "grep" };
        await CreateToolCallAsync(Db, toolCall);
        var secondToolCall = await CreateToolCallAsync(Db, toolCallWithoutId);
        var memory = new NewMemoryRecord { Id = Guid.NewGuid(), PhaseResultId = phase, Kind = MemoryKind.Decision, Content = "use CSS variables" };
        var cta = new NewCtaEvent { Id = Guid.NewGuid(), RunId = run, Kind = CtaKind.Text, RequestPrompt = "Which colour?" };
        var phaseResult = new NewPhaseResult { Id = Guid.NewGuid(), RunId = run, Phase = FeaturePhase.Approaches };
        await CreateMemoryRecordAsync(Db, memory);
        await CreateCtaEventAsync(Db, cta);
        await CreatePhaseResultAsync(Db, phaseResult);
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { FinishReason = FinishReason.Stop });
        await FailFeatureRunAsync(Db, run);

        Assert.Equal(step, await CreateAgentStepAsync(Db, stepWithId));
        Assert.Equal(secondStep, await CreateAgentStepAsync(Db, stepWithoutId));
        Assert.Equal(toolCall.Id, await CreateToolCallAsync(Db, toolCall));
        Assert.Equal(secondToolCall, await CreateToolCallAsync(Db, toolCallWithoutId));
        Assert.Equal(memory.Id, await CreateMemoryRecordAsync(Db, memory));
        Assert.Equal(cta.Id, await CreateCtaEventAsync(Db, cta));
        Assert.Equal(phaseResult.Id, await CreatePhaseResultAsync(Db, phaseResult));

        // A replay with other data is still a conflict, not a state error.
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(Db, stepWithId with { Text = "changed" }));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateMemoryRecordAsync(Db, memory with { Content = "changed" }));
        Assert.Equal(2, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
        Assert.Equal(2, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", step)));
    }

    [Fact]
    public async Task Completing_a_run_with_a_running_phase_result_is_refused_naming_it_and_writes_nothing()
    {
        var (run, analysis) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, analysis, null);
        var judging = await CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Judging });

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteFeatureRunAsync(Db, run));

        Assert.Equal(("feature_runs", run.ToString(), "analysis", "completed"), (e.Table, e.Id, e.CurrentState, e.RequestedState));
        Assert.Contains($"phase_results '{judging}' (judging) is still running", e.Message, StringComparison.Ordinal);
        var row = await Fixture.RowAsync("feature_runs", run);
        Assert.Equal("analysis", row["current_phase"]);
        Assert.Null(row["completed_at"]);

        await PassPhaseResultAsync(Db, judging, null);
        await CompleteFeatureRunAsync(Db, run);
        Assert.Equal("completed", (await Fixture.RowAsync("feature_runs", run))["current_phase"]);
    }

    [Fact]
    public async Task Completing_a_run_with_an_open_cta_is_refused_naming_it_and_writes_nothing()
    {
        var run = await Seed.RunAsync(Db);
        var cta = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Open the PR?" });

        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteFeatureRunAsync(Db, run));

        Assert.Equal(("feature_runs", run.ToString(), "analysis"), (e.Table, e.Id, e.CurrentState));
        Assert.Contains($"cta_events '{cta}' (approval) is still open", e.Message, StringComparison.Ordinal);
        Assert.Null((await Fixture.RowAsync("feature_runs", run))["completed_at"]);

        await CompleteCtaEventAsync(Db, cta, CtaResponse.Approve());
        await CompleteFeatureRunAsync(Db, run);
        Assert.Equal("completed", (await Fixture.RowAsync("feature_runs", run))["current_phase"]);
    }

    [Fact]
    public async Task Failing_a_run_fails_its_running_phase_results_and_times_out_its_open_ctas_and_leaves_the_ended_ones()
    {
        var (run, passed) = await Seed.PhaseAsync(Db);
        var passedAt = Clock.Advance(TimeSpan.FromMinutes(1));
        await PassPhaseResultAsync(Db, passed, Json("""{"ok":true}"""));
        var running = await CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Implementation });
        var answered = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Go on?" });
        await CompleteCtaEventAsync(Db, answered, CtaResponse.Approve());
        var open = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, PhaseResultId = running, Kind = CtaKind.Text, RequestPrompt = "Name?" });
        var other = await Seed.PhaseAsync(Db);

        var failedAt = Clock.Advance(TimeSpan.FromMinutes(5));
        await FailFeatureRunAsync(Db, run);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await FailFeatureRunAsync(Db, run); // a repeat: a no-op that keeps the first stamps

        Assert.Equal(failedAt, AsTime((await Fixture.RowAsync("feature_runs", run))["completed_at"]));
        var runningRow = await Fixture.RowAsync("phase_results", running);
        Assert.Equal(("failed", failedAt), (runningRow["status"], AsTime(runningRow["completed_at"])));
        var passedRow = await Fixture.RowAsync("phase_results", passed);
        Assert.Equal(("passed", passedAt), (passedRow["status"], AsTime(passedRow["completed_at"])));
        var openRow = await Fixture.RowAsync("cta_events", open);
        Assert.Equal((true, failedAt), (AsBool(openRow["timed_out"]), AsTime(openRow["responded_at"])));
        var answeredRow = await Fixture.RowAsync("cta_events", answered);
        Assert.Equal((false, true), (AsBool(answeredRow["timed_out"]), AsBool(answeredRow["response_approved"])));
        // Another run's phase result is untouched.
        Assert.Equal("running", (await Fixture.RowAsync("phase_results", other.Phase))["status"]);
        // The timed-out CTA reads as such through the API too.
        var loss = await Assert.ThrowsAsync<CtaAlreadyResolvedException>(() => CompleteCtaEventAsync(Db, open, CtaResponse.WithText("Ada")));
        Assert.True(loss.Resolution.TimedOut);
    }

    [Fact]
    public async Task Completing_an_invocation_without_usage_sums_its_steps_token_columns_and_a_replay_is_a_no_op()
    {
        var (_, phase, invocation) = await Seed.InvocationAsync(Db);
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, Usage = new TokenUsage { InputTokens = 100, OutputTokens = 20, TotalTokens = 120, InputCacheReadTokens = 60 } });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Usage = new TokenUsage { InputTokens = 130, OutputTokens = 5, TotalTokens = 135 } });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 2 });
        var completion = new AgentInvocationCompletion { FinishReason = FinishReason.Stop, OutputText = "done", StepCount = 3 };

        await CompleteAgentInvocationAsync(Db, invocation, completion);
        await CompleteAgentInvocationAsync(Db, invocation, completion);

        var row = await Fixture.RowAsync("agent_invocations", invocation);
        Assert.Equal(230L, AsLong(row["input_tokens"]));
        Assert.Equal(25L, AsLong(row["output_tokens"]));
        Assert.Equal(255L, AsLong(row["total_tokens"]));
        Assert.Equal(60L, AsLong(row["input_tokens_cache_read_tokens"]));
        Assert.Null(row["input_tokens_cache_write_tokens"]); // no step has it
        Assert.Null(row["output_tokens_reasoning_tokens"]);
        Assert.Null(row["usage_raw"]);

        // A replay that gives other usage than the sums is a different completion.
        var e = await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CompleteAgentInvocationAsync(Db, invocation, completion with { Usage = new TokenUsage { InputTokens = 1 } }));
        Assert.Contains("input_tokens", e.RequestedState, StringComparison.Ordinal);

        // Given usage is stored as given; with no steps and no usage, the columns stay null.
        var given = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Explorer });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = given, StepNumber = 0, Usage = new TokenUsage { InputTokens = 9 } });
        await CompleteAgentInvocationAsync(Db, given, new AgentInvocationCompletion { Usage = new TokenUsage { InputTokens = 7, OutputTokens = 3 } });
        var givenRow = await Fixture.RowAsync("agent_invocations", given);
        Assert.Equal((7L, 3L), (AsLong(givenRow["input_tokens"]), AsLong(givenRow["output_tokens"])));
        var empty = await CompletedInvocationAsync(phase);
        Assert.Null((await Fixture.RowAsync("agent_invocations", empty))["input_tokens"]);
    }

    [Fact]
    public async Task Completing_a_missing_invocation_without_usage_throws_not_found()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CompleteAgentInvocationAsync(Db, id, new AgentInvocationCompletion()));
        Assert.Equal(("agent_invocations", id.ToString()), (e.Table, e.Id));
    }

    [Fact]
    public async Task Rows_batched_by_group_commit_obey_the_same_rules()
    {
        var (run, phase, open) = await Seed.InvocationAsync(Db);
        var stored = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = open, StepNumber = 0 });
        var completed = await CompletedInvocationAsync(phase);
        // A step stored before its invocation completed: replaying it in a batch is still a no-op.
        var late = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Explorer });
        var storedUnderCompleted = new NewAgentStep { Id = Guid.NewGuid(), InvocationId = late, StepNumber = 7 };
        await CreateAgentStepAsync(Db, storedUnderCompleted);
        await CompleteAgentInvocationAsync(Db, late, new AgentInvocationCompletion());
        var (endedRun, endedPhase) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, endedPhase, null);
        await CompleteFeatureRunAsync(Db, endedRun);

        var hold = new SemaphoreSlim(0);
        Func<Task<Guid>>[] calls =
        [
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = open, StepNumber = 1 }),
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = open, StepNumber = 2 }),
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = completed, StepNumber = 0 }),
            () => CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = completed, StepNumber = 1 }),
            () => CreateAgentStepAsync(Db, storedUnderCompleted),
            () => CreateToolCallAsync(Db, new NewToolCall { StepId = stored, ToolCallId = "call_ok", ToolName = "read" }),
            () => CreateToolCallAsync(Db, new NewToolCall { StepId = storedUnderCompleted.Id!.Value, ToolCallId = "call_late", ToolName = "read" }),
            () => CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "kept" }),
            () => CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = endedPhase, Kind = MemoryKind.Insight, Content = "too late" }),
        ];
        var queued = 0;
        var allQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GroupCommitProbe.Of(Db).Queued = () =>
        {
            if (Interlocked.Increment(ref queued) == calls.Length)
            {
                allQueued.SetResult();
            }
        };
        GroupCommitProbe.Of(Db).Hold = hold;
        var tasks = calls.Select(call => Task.Run(call)).ToList();
        await allQueued.Task.WaitAsync(TimeSpan.FromSeconds(60));
        hold.Release();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { })));

        Assert.Equal(calls.Length, GroupCommitProbe.Of(Db).LastBatchSize);
        foreach (var i in new[] { 0, 1, 5, 7 })
        {
            Assert.True(tasks[i].IsCompletedSuccessfully, $"call {i}: {tasks[i].Exception}");
        }
        Assert.Equal(storedUnderCompleted.Id, await tasks[4]);
        foreach (var (i, table, state) in new[] { (2, "agent_invocations", "completed"), (3, "agent_invocations", "completed"), (6, "agent_invocations", "completed"), (8, "feature_runs", "completed") })
        {
            var e = Assert.IsType<InvalidStateTransitionException>(tasks[i].Exception?.InnerException);
            Assert.Equal((table, state), (e.Table, e.CurrentState));
        }
        Assert.Equal(3, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", open)));
        Assert.Equal(0, await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", completed)));
        Assert.Equal(0, await Fixture.CountAsync("tool_calls", "step_id = @s", ("s", storedUnderCompleted.Id)));
        Assert.Equal(1, await Fixture.CountAsync("memory_records", "run_id = @r", ("r", run)));
        Assert.Equal(0, await Fixture.CountAsync("memory_records", "run_id = @r", ("r", endedRun)));
    }

    /// <summary>
    /// Steps written from several handles (one of them batching) while another handle completes
    /// the invocation without usage: every step either landed before the completion, and so is
    /// counted in its sums, or was refused. A step committed after the completion would be stored
    /// but missing from the sums.
    /// </summary>
    [Fact]
    public async Task A_completion_racing_step_inserts_counts_every_step_that_landed_and_refuses_the_rest()
    {
        const int Trials = 12;
        await using var batching = PipelineDb.Open(Fixture.Target);
        await using var alone = PipelineDb.Open(Fixture.Target);
        await using var completer = PipelineDb.Open(Fixture.Target);
        var (_, phase) = await Seed.PhaseAsync(Db);
        for (var trial = 0; trial < Trials; trial++)
        {
            var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Explorer });
            var nextStep = -1;
            var landed = 0;
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var completion = started.Task.ContinueWith(_ => CompleteAgentInvocationAsync(completer, invocation, new AgentInvocationCompletion { OutputText = $"trial {trial}" }),
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            var writers = new[] { batching, batching, batching, alone }.Select(db => Task.Run(async () =>
            {
                var afterCompletion = 0;
                while (true)
                {
                    // Once the completion has returned, every further step must be refused.
                    if (completion.IsCompleted && ++afterCompletion > 2)
                    {
                        return "never refused";
                    }
                    try
                    {
                        await CreateAgentStepAsync(db, new NewAgentStep
                        {
                            InvocationId = invocation, StepNumber = Interlocked.Increment(ref nextStep), Usage = new TokenUsage { InputTokens = 1, OutputTokens = 2 },
                        });
                        if (Interlocked.Increment(ref landed) == 8)
                        {
                            started.TrySetResult();
                        }
                    }
                    catch (InvalidStateTransitionException e) when (e.Table == "agent_invocations" && e.CurrentState == "completed")
                    {
                        return "refused";
                    }
                }
            })).ToList();

            await completion;
            Assert.All(await Task.WhenAll(writers), outcome => Assert.Equal("refused", outcome));
            var stored = await Fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation));
            var row = await Fixture.RowAsync("agent_invocations", invocation);
            Assert.Equal(landed, stored);
            Assert.Equal(stored, AsLong(row["input_tokens"]));
            Assert.Equal(2 * stored, AsLong(row["output_tokens"]));
        }
    }

    /// <summary>
    /// Phase results and CTAs created from two handles while a third fails the run: a failed run
    /// has nothing left running or open, so each create either landed before the failure (and was
    /// failed or timed out by it) or was refused.
    /// </summary>
    [Fact]
    public async Task A_failure_racing_phase_result_and_cta_creates_leaves_nothing_running_or_open()
    {
        const int Trials = 12;
        await using var first = PipelineDb.Open(Fixture.Target);
        await using var second = PipelineDb.Open(Fixture.Target);
        await using var failer = PipelineDb.Open(Fixture.Target);
        for (var trial = 0; trial < Trials; trial++)
        {
            var run = await Seed.RunAsync(Db);
            var landed = 0;
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var failure = started.Task.ContinueWith(_ => FailFeatureRunAsync(failer, run),
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            var writers = new[] { first, second }.SelectMany(db => new Func<Task<Guid>>[]
            {
                () => CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Implementation }),
                () => CreateCtaEventAsync(db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Continue?" }),
            }).Select(create => Task.Run(async () =>
            {
                var afterFailure = 0;
                while (true)
                {
                    if (failure.IsCompleted && ++afterFailure > 2)
                    {
                        return "never refused";
                    }
                    try
                    {
                        await create();
                        if (Interlocked.Increment(ref landed) == 8)
                        {
                            started.TrySetResult();
                        }
                    }
                    catch (InvalidStateTransitionException e) when (e.Table == "feature_runs" && e.CurrentState == "failed")
                    {
                        return "refused";
                    }
                }
            })).ToList();

            await failure;
            Assert.All(await Task.WhenAll(writers), outcome => Assert.Equal("refused", outcome));
            Assert.Equal(landed, await Fixture.CountAsync("phase_results", "run_id = @r", ("r", run)) + await Fixture.CountAsync("cta_events", "run_id = @r", ("r", run)));
            Assert.Equal(0, await Fixture.CountAsync("phase_results", "run_id = @r AND status = 'running'", ("r", run)));
            Assert.Equal(0, await Fixture.CountAsync("cta_events", "run_id = @r AND responded_at IS NULL", ("r", run)));
        }
    }

    /// <summary>
    /// Writers that each start a phase result and pass it, over and over, while another handle
    /// keeps trying to complete the run: it completes only in a moment when nothing runs, and
    /// nothing starts after it.
    /// </summary>
    [Fact]
    public async Task A_completion_racing_phase_results_never_leaves_one_running_under_a_completed_run()
    {
        const int Trials = 8;
        const int Cycles = 15;
        await using var first = PipelineDb.Open(Fixture.Target);
        await using var second = PipelineDb.Open(Fixture.Target);
        await using var completer = PipelineDb.Open(Fixture.Target);
        for (var trial = 0; trial < Trials; trial++)
        {
            var run = await Seed.RunAsync(Db);
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writers = new[] { first, second }.Select(db => Task.Run(async () =>
            {
                for (var cycle = 0; cycle < Cycles; cycle++)
                {
                    Guid phase;
                    try
                    {
                        phase = await CreatePhaseResultAsync(db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Judging });
                    }
                    catch (InvalidStateTransitionException e) when (e.CurrentState == "completed")
                    {
                        return;
                    }
                    running.TrySetResult(); // the completer starts while this one still runs
                    await PassPhaseResultAsync(db, phase, null);
                }
            })).ToList();
            await running.Task;
            while (true)
            {
                try
                {
                    await CompleteFeatureRunAsync(completer, run);
                    break;
                }
                catch (InvalidStateTransitionException e) when (e.Message.Contains("is still running", StringComparison.Ordinal))
                {
                    // A phase result was running at that moment; its writer will pass it.
                }
            }
            await Task.WhenAll(writers);
            Assert.Equal("completed", (await Fixture.RowAsync("feature_runs", run))["current_phase"]);
            Assert.Equal(0, await Fixture.CountAsync("phase_results", "run_id = @r AND status = 'running'", ("r", run)));
        }
    }
}

public sealed class SqliteStateRuleTests(SqliteFixture f) : StateRuleTests<SqliteFixture>(f);
public sealed class PostgreSqlStateRuleTests(PostgreSqlFixture f) : StateRuleTests<PostgreSqlFixture>(f);
