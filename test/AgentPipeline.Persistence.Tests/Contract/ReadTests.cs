using System.Text.Json;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// The read API returns every column exactly as written: text with NUL, lone surrogates and U+FFFF,
/// JSON with its key order, number spellings and nesting, 64-bit token counts, instants in UTC.
/// </summary>
public abstract class ReadTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    /// <summary>A string the databases cannot hold as it is (see DbText).</summary>
    private const string Hostile = "a\0b \uD800 c \uFFFF d \uFFFF0 😀 \u202E";

    /// <summary>Key order a sorting store would change, numbers beyond double, nesting, and escapes the store must undo.</summary>
    private const string ExactJson =
        """{"$type":"text","z":1,"a":[1e400,-3.128163257315464E-07,123456789012345678901234567890,{"deep":{"x":"\u0000 and \ud800","y":[[[{}]]]}}],"text":"\uffff","raw":"￿"}""";

    private static JsonElement J(string text) => Json(text);

    private static void AssertJsonText(string expected, JsonElement? actual) => Assert.Equal(expected, Assert.NotNull(actual).GetRawText());

    private static string J2(int n) => $$"""{"n":{{n}},"b":[true,null,"{{n}}"]}""";

    [Fact]
    public async Task A_run_reads_back_with_its_sandbox_and_snapshots_column_for_column()
    {
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        var requested = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1230);
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord
        {
            Id = sandbox, Status = SandboxStatus.Pending, Runtime = "node24", Memory = 2048, Vcpus = 4, Region = "iad1", Cwd = Hostile,
            Timeout = 300_000, NetworkPolicy = J(ExactJson), InteractivePort = 8080, Routes = J("""[{"url":"https://x","subdomain":"s","port":3000}]"""),
            SourceSnapshotId = "snap_src", SourceType = SandboxSourceType.Git, SourceUrl = "https://github.com/o/r.git",
            SourceRevision = "abc123", SourceDepth = 1, RequestedAt = requested,
        });
        var created = Clock.Now;
        var run = await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = Hostile, SandboxId = sandbox, GithubRepoUrl = "https://github.com/o/r", GithubBranch = "feat/" + Hostile });
        Clock.Advance(TimeSpan.FromSeconds(1));
        await UpdateSandboxStatusAsync(Db, sandbox, SandboxStatus.Running);
        var started = Clock.Now;
        Clock.Advance(TimeSpan.FromSeconds(1));
        await CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap_b", SandboxId = sandbox, Status = SnapshotStatus.Created, SizeBytes = 5_000_000_000_000, Region = "iad1", ExpiresAt = requested.AddDays(7) });
        Clock.Advance(TimeSpan.FromSeconds(1));
        await CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap_a", SandboxId = sandbox });

        var read = await GetFeatureRunAsync(Db, run);

        Assert.Equal(run, read.Id);
        Assert.Equal(Hostile, read.Prompt);
        Assert.Equal(sandbox, read.SandboxId);
        Assert.Equal("https://github.com/o/r", read.GithubRepoUrl);
        Assert.Equal("feat/" + Hostile, read.GithubBranch);
        Assert.Equal(FeaturePhase.Analysis, read.CurrentPhase);
        Assert.Equal(created, read.CreatedAt);
        Assert.Equal(TimeSpan.Zero, read.CreatedAt.Offset);
        Assert.Null(read.CompletedAt);
        Assert.NotNull(read.Sandbox);
        var s = read.Sandbox;
        Assert.Equal(sandbox, s.Id);
        Assert.Equal(run, s.RunId);
        Assert.Equal(SandboxStatus.Running, s.Status);
        Assert.Equal(("node24", 2048, 4, "iad1", Hostile, 300_000, 8080), (s.Runtime, s.Memory, s.Vcpus, s.Region, s.Cwd, s.Timeout, s.InteractivePort));
        AssertJsonText(ExactJson, s.NetworkPolicy);
        AssertJsonText("""[{"url":"https://x","subdomain":"s","port":3000}]""", s.Routes);
        Assert.Equal(("snap_src", SandboxSourceType.Git, "https://github.com/o/r.git", "abc123", 1),
            (s.SourceSnapshotId, s.SourceType, s.SourceUrl, s.SourceRevision, s.SourceDepth));
        Assert.Equal(requested.ToUniversalTime(), s.RequestedAt);
        Assert.Equal(TimeSpan.Zero, s.RequestedAt!.Value.Offset);
        Assert.Equal(created, s.CreatedAt);
        Assert.Equal(started, s.StartedAt);
        Assert.Equal((null, null, null, null, null), (s.RequestedStopAt, s.StoppedAt, s.AbortedAt, s.SnapshottedAt, s.Duration));
        Assert.Equal(["snap_b", "snap_a"], s.Snapshots.Select(x => x.Id));
        var snap = s.Snapshots[0];
        Assert.Equal((sandbox, (Guid?)run, SnapshotStatus.Created, (long?)5_000_000_000_000, "iad1", requested.AddDays(7).ToUniversalTime(), started.AddSeconds(1)),
            (snap.SandboxId, snap.RunId, snap.Status, snap.SizeBytes, snap.Region, snap.ExpiresAt, snap.CreatedAt));
        Assert.Equal((null, null, null), (s.Snapshots[1].SizeBytes, s.Snapshots[1].Region, s.Snapshots[1].ExpiresAt));
    }

    [Fact]
    public async Task An_invocation_reads_back_column_for_column_with_64_bit_tokens()
    {
        var (run, phase, parent) = await Seed.InvocationAsync(Db);
        var started = Clock.Now;
        var id = await CreateAgentInvocationAsync(Db, new NewAgentInvocation
        {
            PhaseResultId = phase, ParentInvocationId = parent, AgentType = AgentType.MetaJudge, ModelProvider = "anthropic",
            ModelId = Hostile, SystemPrompt = Hostile + Hostile, InputMessages = J(ExactJson),
        });
        var open = await GetAgentInvocationAsync(Db, id);
        Assert.Null(open.CompletedAt);
        Assert.Null(open.Usage);
        Assert.Null(open.FinishReason);
        Clock.Advance(TimeSpan.FromMinutes(3));
        var usage = new TokenUsage
        {
            InputTokens = 5_000_000_000_001, OutputTokens = 2, TotalTokens = long.MaxValue, InputNoCacheTokens = 4, InputCacheReadTokens = 5,
            InputCacheWriteTokens = 6, OutputTextTokens = 7, OutputReasoningTokens = 8, Raw = J(ExactJson),
        };
        await CompleteAgentInvocationAsync(Db, id, new AgentInvocationCompletion
        {
            FinishReason = FinishReason.ContentFilter, RawFinishReason = "content_filter", OutputText = Hostile, OutputReasoningText = Hostile + "r",
            OutputReasoning = J(J2(1)), OutputContent = J(ExactJson), OutputFiles = J(J2(2)), OutputSources = J(J2(3)), ResponseMessages = J(J2(4)),
            ResponseId = "resp_1", ResponseModelId = "claude", ResponseHeaders = J("""{"x-b":"1","x-a":"2"}"""), ResponseBody = J(ExactJson),
            ResponseTimestamp = started.AddMinutes(1), ProviderMetadata = J(J2(5)), Warnings = J("[]"), RequestBody = J(J2(6)), StepCount = 12, Usage = usage,
        });

        var i = await GetAgentInvocationAsync(Db, id);

        Assert.Equal((id, run, phase, (Guid?)parent, AgentType.MetaJudge, "anthropic", Hostile, Hostile + Hostile),
            (i.Id, i.RunId, i.PhaseResultId, i.ParentInvocationId, i.AgentType, i.ModelProvider, i.ModelId, i.SystemPrompt));
        AssertJsonText(ExactJson, i.InputMessages);
        Assert.Equal((FinishReason.ContentFilter, "content_filter", Hostile, Hostile + "r"), (i.FinishReason, i.RawFinishReason, i.OutputText, i.OutputReasoningText));
        AssertJsonText(J2(1), i.OutputReasoning);
        AssertJsonText(ExactJson, i.OutputContent);
        AssertJsonText(J2(2), i.OutputFiles);
        AssertJsonText(J2(3), i.OutputSources);
        AssertJsonText(J2(4), i.ResponseMessages);
        Assert.Equal(("resp_1", "claude", started.AddMinutes(1), 12), (i.ResponseId, i.ResponseModelId, i.ResponseTimestamp, i.StepCount));
        AssertJsonText("""{"x-b":"1","x-a":"2"}""", i.ResponseHeaders);
        AssertJsonText(ExactJson, i.ResponseBody);
        AssertJsonText(J2(5), i.ProviderMetadata);
        AssertJsonText("[]", i.Warnings);
        AssertJsonText(J2(6), i.RequestBody);
        Assert.NotNull(i.Usage);
        var u = i.Usage;
        Assert.Equal(usage with { Raw = null }, u with { Raw = null });
        AssertJsonText(ExactJson, u.Raw);
        Assert.Equal((started, started.AddMinutes(3)), (i.StartedAt, i.CompletedAt));
    }

    [Fact]
    public async Task A_step_and_its_tool_call_read_back_column_for_column()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var step = await CreateAgentStepAsync(Db, new NewAgentStep
        {
            InvocationId = invocation, StepNumber = 3, ModelProvider = "openai", ModelId = "gpt", FunctionId = Hostile, Metadata = J(J2(1)),
            Text = Hostile, ReasoningText = Hostile + "!", Reasoning = J(J2(2)), Content = J(ExactJson), Files = J(J2(3)), Sources = J(J2(4)),
            FinishReason = FinishReason.ToolCalls, RawFinishReason = "tool_use",
            Usage = new TokenUsage { InputTokens = 4_000_000_000, OutputTokens = 0 }, Warnings = J(J2(5)), RequestBody = J(ExactJson),
            ResponseId = "r", ResponseModelId = "m", ResponseHeaders = J(J2(6)), ResponseBody = J(J2(7)), ResponseTimestamp = Clock.Now.AddSeconds(-1),
            ProviderMetadata = J(J2(8)),
        });
        var stepAt = Clock.Now;
        Clock.Advance(TimeSpan.FromSeconds(2));
        var tool = await CreateToolCallAsync(Db, new NewToolCall
        {
            StepId = step, ToolCallId = "call_" + Hostile, ToolName = "bash", Input = J(ExactJson), IsDynamic = true, IsPreliminary = true,
            IsProviderExecuted = true, Title = Hostile, ProviderMetadata = J(J2(9)),
        });
        var open = await GetToolCallAsync(Db, tool);
        Assert.Null(open.Output);
        Assert.Null(open.OutputType);
        await CompleteToolCallAsync(Db, tool, new ToolCallCompletion { Output = J(ExactJson), OutputType = ToolOutputType.ErrorJson, Error = J(J2(10)), IsInvalid = true });

        var s = await GetAgentStepAsync(Db, step);
        var t = await GetToolCallAsync(Db, tool);

        Assert.Equal((step, run, invocation, 3, "openai", "gpt", Hostile), (s.Id, s.RunId, s.InvocationId, s.StepNumber, s.ModelProvider, s.ModelId, s.FunctionId));
        AssertJsonText(J2(1), s.Metadata);
        Assert.Equal((Hostile, Hostile + "!"), (s.Text, s.ReasoningText));
        AssertJsonText(J2(2), s.Reasoning);
        AssertJsonText(ExactJson, s.Content);
        AssertJsonText(J2(3), s.Files);
        AssertJsonText(J2(4), s.Sources);
        Assert.Equal((FinishReason.ToolCalls, "tool_use"), (s.FinishReason, s.RawFinishReason));
        Assert.Equal(new TokenUsage { InputTokens = 4_000_000_000, OutputTokens = 0 }, s.Usage);
        AssertJsonText(J2(5), s.Warnings);
        AssertJsonText(ExactJson, s.RequestBody);
        Assert.Equal(("r", "m", stepAt.AddSeconds(-1), stepAt), (s.ResponseId, s.ResponseModelId, s.ResponseTimestamp, s.CreatedAt));
        AssertJsonText(J2(6), s.ResponseHeaders);
        AssertJsonText(J2(7), s.ResponseBody);
        AssertJsonText(J2(8), s.ProviderMetadata);

        Assert.Equal((tool, run, step, invocation, "call_" + Hostile, "bash"), (t.Id, t.RunId, t.StepId, t.InvocationId, t.ToolCallId, t.ToolName));
        AssertJsonText(ExactJson, t.Input);
        AssertJsonText(ExactJson, t.Output);
        AssertJsonText(J2(10), t.Error);
        AssertJsonText(J2(9), t.ProviderMetadata);
        Assert.Equal((ToolOutputType.ErrorJson, true, true, true, true, Hostile, stepAt.AddSeconds(2)),
            (t.OutputType, t.IsDynamic, t.IsInvalid, t.IsPreliminary, t.IsProviderExecuted, t.Title, t.CreatedAt));
    }

    [Fact]
    public async Task A_cta_reads_back_open_answered_and_timed_out()
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var asked = Clock.Now;
        var choice = await CreateCtaEventAsync(Db, new NewCtaEvent
        {
            RunId = run, PhaseResultId = phase, InvocationId = invocation, ToolCallId = "call_1", Kind = CtaKind.Choice, RequestPrompt = Hostile,
            RequestOptions = [new CtaOption("b", "Bee " + Hostile), new CtaOption("a", "Ay")],
        });
        var approval = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Ship it?" });
        var text = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Text, RequestPrompt = "Name?", RequestPlaceholder = Hostile });

        var c = await GetCtaEventAsync(Db, choice);
        Assert.Equal((choice, run, (Guid?)phase, (Guid?)invocation, "call_1", CtaKind.Choice, (string?)null, Hostile, (string?)null, asked),
            (c.Id, c.RunId, c.PhaseResultId, c.InvocationId, c.ToolCallId, c.Kind, c.RequestMessage, c.RequestPrompt, c.RequestPlaceholder, c.RequestedAt));
        Assert.Equal([new CtaOption("b", "Bee " + Hostile), new CtaOption("a", "Ay")], c.RequestOptions!);
        Assert.True(c.IsOpen);
        Assert.Null(c.Resolution);

        Clock.Advance(TimeSpan.FromMinutes(1));
        await CompleteCtaEventAsync(Db, choice, CtaResponse.Choose("a"));
        await CompleteCtaEventAsync(Db, approval, CtaResponse.Reject(Hostile));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await TimeoutCtaEventAsync(Db, text);

        var chosen = await GetCtaEventAsync(Db, choice);
        Assert.False(chosen.IsOpen);
        Assert.Equal(new CtaResolution(false, CtaResponse.Choose("a"), asked.AddMinutes(1)), chosen.Resolution);
        var rejected = await GetCtaEventAsync(Db, approval);
        Assert.Equal(("Ship it?", (IReadOnlyList<CtaOption>?)null), (rejected.RequestMessage, rejected.RequestOptions));
        Assert.Equal(new CtaResolution(false, CtaResponse.Reject(Hostile), asked.AddMinutes(1)), rejected.Resolution);
        var timedOut = await GetCtaEventAsync(Db, text);
        Assert.Equal((Hostile, (Guid?)null, (Guid?)null), (timedOut.RequestPlaceholder, timedOut.PhaseResultId, timedOut.InvocationId));
        Assert.Equal(new CtaResolution(true, null, asked.AddMinutes(2)), timedOut.Resolution);
    }

    [Theory]
    [MemberData(nameof(Robustness.ContentTests<StoreFixture>.HostileStrings), MemberType = typeof(Robustness.ContentTests<StoreFixture>))]
    public async Task Hostile_text_reads_back_exactly_through_every_read(string what, string value)
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, Text = value, ReasoningText = value + value, ModelId = value });
        var tool = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "bash", Title = value });
        await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "note: " + value });

        var read = await GetAgentStepAsync(Db, step);
        Assert.Equal((value, value + value, value), (read.Text, read.ReasoningText, read.ModelId));
        Assert.Equal(value, (await GetToolCallAsync(Db, tool)).Title);
        var tree = await GetRunTreeAsync(Db, run, new RunTreeOptions { IncludeContent = true });
        var node = Assert.Single(Assert.Single(tree.Phases[0].Invocations).Steps);
        Assert.Equal((value, value), (node.Step.Text, node.Step.ModelId));
        Assert.Equal(value, Assert.Single(node.ToolCalls).Title);
        Assert.Equal("note: " + value, Assert.Single(tree.MemoryRecords).Content);
        Assert.Equal(value, (await GetRunTreeAsync(Db, run)).Phases[0].Invocations[0].Steps[0].Step.ModelId);
        Assert.NotNull(what);
    }

    [Theory]
    [MemberData(nameof(Robustness.ContentTests<StoreFixture>.HostileJson), MemberType = typeof(Robustness.ContentTests<StoreFixture>))]
    public async Task Hostile_json_reads_back_as_its_exact_text(string what, string json)
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var value = J(json);
        var tool = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = "bash", Input = value, Output = value, Error = value });

        var read = await GetToolCallAsync(Db, tool);

        foreach (var column in new[] { read.Input, read.Output, read.Error })
        {
            Assert.NotNull(column);
            Assert.True(value.GetRawText() == column.Value.GetRawText(), $"{what}: read {column.Value.GetRawText()}");
        }
    }

    [Fact]
    public async Task Missing_ids_throw_record_not_found_naming_table_and_id()
    {
        var id = Guid.NewGuid();
        async Task Missing(string table, Func<Task> read)
        {
            var e = await Assert.ThrowsAsync<RecordNotFoundException>(read);
            Assert.Equal((table, id.ToString()), (e.Table, e.Id));
        }
        await Missing("feature_runs", () => GetFeatureRunAsync(Db, id));
        await Missing("feature_runs", () => GetRunTreeAsync(Db, id));
        await Missing("agent_invocations", () => GetAgentInvocationAsync(Db, id));
        await Missing("agent_steps", () => GetAgentStepAsync(Db, id));
        await Missing("tool_calls", () => GetToolCallAsync(Db, id));
        await Missing("cta_events", () => GetCtaEventAsync(Db, id));
    }

    [Fact]
    public async Task Empty_ids_and_bad_queries_throw_argument_exceptions_naming_the_parameter()
    {
        Assert.Equal("runId", (await Assert.ThrowsAsync<ArgumentException>(() => GetFeatureRunAsync(Db, Guid.Empty))).ParamName);
        Assert.Equal("runId", (await Assert.ThrowsAsync<ArgumentException>(() => GetRunTreeAsync(Db, Guid.Empty))).ParamName);
        Assert.Equal("invocationId", (await Assert.ThrowsAsync<ArgumentException>(() => GetAgentInvocationAsync(Db, Guid.Empty))).ParamName);
        Assert.Equal("stepId", (await Assert.ThrowsAsync<ArgumentException>(() => GetAgentStepAsync(Db, Guid.Empty))).ParamName);
        Assert.Equal("toolCallId", (await Assert.ThrowsAsync<ArgumentException>(() => GetToolCallAsync(Db, Guid.Empty))).ParamName);
        Assert.Equal("ctaId", (await Assert.ThrowsAsync<ArgumentException>(() => GetCtaEventAsync(Db, Guid.Empty))).ParamName);
        Assert.Equal("query.RunId", (await Assert.ThrowsAsync<ArgumentException>(() => ListCtaEventsAsync(Db, new CtaEventQuery { RunId = Guid.Empty }))).ParamName);
        Assert.Equal("query.PageSize", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ListCtaEventsAsync(Db, new CtaEventQuery { PageSize = 0 }))).ParamName);
        Assert.Equal("query.Cursor", (await Assert.ThrowsAsync<ArgumentException>(() => ListCtaEventsAsync(Db, new CtaEventQuery { Cursor = "x" }))).ParamName);
    }

    [Fact]
    public async Task A_run_is_running_waiting_for_a_human_completed_or_failed_with_its_duration_tokens_and_open_ctas()
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var created = (await GetFeatureRunAsync(Db, run)).CreatedAt;
        var running = await GetFeatureRunAsync(Db, run);
        Assert.Equal((RunStatus.Running, 0, (TimeSpan?)null), (running.Status, running.OpenCtaCount, running.Duration));
        Assert.Equal(new TokenUsage(), running.Tokens);

        // A completed invocation counts its own totals; a running one the sum of its steps so far.
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, Usage = new TokenUsage { InputTokens = 999, OutputTokens = 1 } });
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { Usage = new TokenUsage { InputTokens = 5_000_000_000, OutputTokens = 20, OutputReasoningTokens = 7 } });
        var sub = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Explorer });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = sub, StepNumber = 0, Usage = new TokenUsage { InputTokens = 100, OutputTokens = 3 } });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = sub, StepNumber = 1, Usage = new TokenUsage { InputTokens = 200, TotalTokens = 9 } });
        var cta = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "ok?" });
        await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "and this?" });

        var waiting = await GetFeatureRunAsync(Db, run);
        Assert.Equal((RunStatus.WaitingForHuman, 2), (waiting.Status, waiting.OpenCtaCount));
        Assert.Equal(new TokenUsage { InputTokens = 5_000_000_300, OutputTokens = 23, TotalTokens = 9, OutputReasoningTokens = 7 }, waiting.Tokens);

        await CompleteCtaEventAsync(Db, cta, CtaResponse.Approve());
        Assert.Equal((RunStatus.WaitingForHuman, 1), ((await GetFeatureRunAsync(Db, run)).Status, (await GetFeatureRunAsync(Db, run)).OpenCtaCount));

        Clock.Advance(TimeSpan.FromMinutes(90));
        await FailFeatureRunAsync(Db, run);
        var failed = await GetFeatureRunAsync(Db, run);
        Assert.Equal((RunStatus.Failed, 0, (TimeSpan?)TimeSpan.FromMinutes(90), created.AddMinutes(90)), (failed.Status, failed.OpenCtaCount, failed.Duration, failed.CompletedAt));

        var (done, donePhase) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, donePhase, null);
        Clock.Advance(TimeSpan.FromSeconds(42));
        await CompleteFeatureRunAsync(Db, done);
        var completed = await GetFeatureRunAsync(Db, done);
        Assert.Equal((RunStatus.Completed, FeaturePhase.Completed, (TimeSpan?)TimeSpan.FromSeconds(42)), (completed.Status, completed.CurrentPhase, completed.Duration));
        Assert.Null(completed.Sandbox);
    }

    [Fact]
    public async Task The_tree_nests_sub_agents_orders_phases_and_steps_and_leaves_large_values_out_unless_asked()
    {
        var (run, analysis) = await Seed.PhaseAsync(Db);
        await PassPhaseResultAsync(Db, analysis, J(ExactJson));
        var t0 = Clock.Now;
        // Created second but started first: phases come by started_at.
        Clock.Set(t0.AddMinutes(-5));
        var approaches = await CreatePhaseResultAsync(Db, new NewPhaseResult { RunId = run, Phase = FeaturePhase.Approaches });
        Clock.Set(t0.AddMinutes(1));
        var top = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = approaches, AgentType = AgentType.Orchestrator, SystemPrompt = Hostile, InputMessages = J(ExactJson) });
        Clock.Advance(TimeSpan.FromSeconds(1));
        var child = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = approaches, ParentInvocationId = top, AgentType = AgentType.Explorer });
        Clock.Advance(TimeSpan.FromSeconds(1));
        var grandchild = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = approaches, ParentInvocationId = child, AgentType = AgentType.Coder });
        var steps = new Dictionary<int, Guid>();
        foreach (var n in new[] { 2, 0, 1 })
        {
            steps[n] = await CreateAgentStepAsync(Db, new NewAgentStep
            {
                InvocationId = child, StepNumber = n, Text = Hostile + n, Content = J(ExactJson), Usage = new TokenUsage { InputTokens = n, Raw = J(J2(n)) },
                Metadata = J(J2(n)),
            });
        }
        var tool = await CreateToolCallAsync(Db, new NewToolCall { StepId = steps[1], ToolCallId = "c1", ToolName = "read", Input = J(ExactJson), Output = J(J2(1)), Error = J(J2(2)) });
        var memory = await CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = approaches, InvocationId = child, Kind = MemoryKind.Decision, Content = Hostile });
        var cta = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, InvocationId = grandchild, Kind = CtaKind.Text, RequestPrompt = "?" });

        var light = await GetRunTreeAsync(Db, run);
        var whole = await GetRunTreeAsync(Db, run, new RunTreeOptions { IncludeContent = true });

        foreach (var tree in new[] { light, whole })
        {
            Assert.Equal(run, tree.Run.Id);
            Assert.Equal(RunStatus.WaitingForHuman, tree.Run.Status);
            Assert.Equal([approaches, analysis], tree.Phases.Select(p => p.Phase.Id));
            Assert.Empty(tree.Phases[1].Invocations);
            var node = Assert.Single(tree.Phases[0].Invocations);
            Assert.Equal(top, node.Invocation.Id);
            var childNode = Assert.Single(node.SubAgents);
            Assert.Equal(child, childNode.Invocation.Id);
            Assert.Equal(grandchild, Assert.Single(childNode.SubAgents).Invocation.Id);
            Assert.Empty(Assert.Single(childNode.SubAgents).SubAgents);
            Assert.Equal([0, 1, 2], childNode.Steps.Select(s => s.Step.StepNumber));
            Assert.Equal([steps[0], steps[1], steps[2]], childNode.Steps.Select(s => s.Step.Id));
            Assert.Equal([1L, 2L], childNode.Steps.Skip(1).Select(s => s.Step.Usage!.InputTokens!.Value));
            Assert.Equal(tool, Assert.Single(childNode.Steps[1].ToolCalls).Id);
            Assert.Empty(childNode.Steps[0].ToolCalls);
            AssertJsonText(J2(1), childNode.Steps[1].Step.Metadata);
            var m = Assert.Single(tree.MemoryRecords);
            Assert.Equal((memory, run, approaches, (Guid?)child, FeaturePhase.Approaches, Hostile), (m.Id, m.RunId, m.PhaseResultId, m.InvocationId, m.Phase, m.Content));
            Assert.Equal(cta, Assert.Single(tree.CtaEvents).Id);
        }

        var lightTop = light.Phases[0].Invocations[0];
        var lightStep = lightTop.SubAgents[0].Steps[1];
        var lightTool = lightStep.ToolCalls[0];
        Assert.Null(light.Phases[1].Phase.Output);
        Assert.Null(lightTop.Invocation.SystemPrompt);
        Assert.Null(lightTop.Invocation.InputMessages);
        Assert.Null(lightStep.Step.Text);
        Assert.Null(lightStep.Step.Content);
        Assert.Null(lightStep.Step.Usage!.Raw);
        Assert.Null(lightTool.Input);
        Assert.Null(lightTool.Output);
        Assert.Null(lightTool.Error);

        var wholeTop = whole.Phases[0].Invocations[0];
        var wholeStep = wholeTop.SubAgents[0].Steps[1];
        var wholeTool = wholeStep.ToolCalls[0];
        AssertJsonText(ExactJson, whole.Phases[1].Phase.Output);
        Assert.Equal(Hostile, wholeTop.Invocation.SystemPrompt);
        AssertJsonText(ExactJson, wholeTop.Invocation.InputMessages);
        Assert.Equal(Hostile + 1, wholeStep.Step.Text);
        AssertJsonText(ExactJson, wholeStep.Step.Content);
        AssertJsonText(J2(1), wholeStep.Step.Usage!.Raw);
        AssertJsonText(ExactJson, wholeTool.Input);
        AssertJsonText(J2(1), wholeTool.Output);
        AssertJsonText(J2(2), wholeTool.Error);
    }

    [Fact]
    public async Task A_trees_steps_and_tool_calls_are_read_through_their_tree_indexes_in_order_and_on_sqlite_from_the_index_alone()
    {
        var (run, _, _) = await Seed.InvocationAsync(Db);
        var sqlite = Db.Dialect.Kind == PipelineProvider.Sqlite;
        foreach (var (name, reads) in new[] { ("without content", TreeReads.Light), ("with content", TreeReads.Whole) })
        {
            foreach (var (sql, index) in new[] { (reads.StepsSql, "IX_agent_steps_tree"), (reads.ToolsSql, "IX_tool_calls_tree") })
            {
                // PostgreSQL plans with sequential scans and sorts priced out: whether an index serves the
                // statement at all (on these tiny tables reading them whole is rightly cheaper).
                var plan = await QueryPlans.ExplainAsync(Db, sql, [run], indexesOnly: true);
                var shown = $"{index}, {name}:\n{string.Join("\n", plan)}";
                Assert.True(QueryPlans.FullReads(plan).Length == 0, shown); // no scan of the table, no sort
                Assert.True(plan.Any(l => l.Contains(index, StringComparison.Ordinal)), shown);
                if (sqlite && reads == TreeReads.Light)
                {
                    // Every column read is in the index: no row of the table (and none of its large values' pages) is touched.
                    Assert.True(plan.Any(l => l.Contains("USING COVERING INDEX " + index, StringComparison.Ordinal)), shown);
                }
            }
        }
    }

    [Fact]
    public async Task A_cta_cursor_continues_only_its_own_query_and_any_other_cursor_throws_naming_query_Cursor_before_any_read()
    {
        var run = await Seed.RunAsync(Db);
        var other = await Seed.RunAsync(Db);
        for (var i = 0; i < 3; i++)
        {
            await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "q" + i });
        }
        var query = new CtaEventQuery { RunId = run, PageSize = 1 };
        var cursor = (await ListCtaEventsAsync(Db, query)).NextCursor!;
        var altered = cursor[..5] + (cursor[5] == 'A' ? "B" : "A") + cursor[6..];
        await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p" });
        await CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p" });
        var runsCursor = (await ListFeatureRunsAsync(Db, new FeatureRunQuery { PageSize = 1 })).NextCursor!;
        // The cursor format of both listings is the same, and each refuses the other's.
        Assert.Equal(runsCursor.Length, cursor.Length);
        await using var unmigrated = PipelineDb.Open(await Fixture.CreateDatabaseAsync(), Clock);
        foreach (var (name, bad) in new (string, CtaEventQuery)[]
        {
            ("another run", query with { RunId = other, Cursor = cursor }),
            ("every run", query with { RunId = null, Cursor = cursor }),
            ("another state", query with { State = CtaEventState.All, Cursor = cursor }),
            ("altered", query with { Cursor = altered }),
            ("a ListFeatureRuns cursor", query with { Cursor = runsCursor }),
            ("the old ticks.id form", query with { Cursor = $"{DateTimeOffset.UtcNow.UtcTicks}.{Guid.NewGuid():N}" }),
        })
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => ListCtaEventsAsync(unmigrated, bad));
            Assert.True(e.ParamName == "query.Cursor", name);
            Assert.Contains("query.Cursor", e.Message, StringComparison.Ordinal);
        }
        var e2 = await Assert.ThrowsAsync<ArgumentException>(() => ListFeatureRunsAsync(unmigrated, new FeatureRunQuery { Cursor = cursor }));
        Assert.Equal("query.Cursor", e2.ParamName);
        // The right query continues, whatever its page size.
        Assert.Equal(2, (await ListCtaEventsAsync(Db, query with { Cursor = cursor, PageSize = 10 })).Items.Count);
    }

    [Fact]
    public async Task Cta_lists_are_oldest_first_filtered_by_state_and_run_and_pages_visit_each_once()
    {
        var run = await Seed.RunAsync(Db);
        var other = await Seed.RunAsync(Db);
        var ids = new List<Guid>();
        var start = Clock.Now;
        for (var i = 0; i < 7; i++)
        {
            // Two CTAs per instant, so the id breaks ties; instants out of creation order.
            Clock.Set(start.AddSeconds(10 - i / 2));
            ids.Add(await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "q" + i }));
        }
        var elsewhere = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = other, Kind = CtaKind.Approval, RequestMessage = "other" });
        await CompleteCtaEventAsync(Db, ids[0], CtaResponse.Approve());
        await TimeoutCtaEventAsync(Db, ids[3]);
        var all = (await ListCtaEventsAsync(Db, new CtaEventQuery { RunId = run, State = CtaEventState.All })).Items;
        var expected = all.OrderBy(c => c.RequestedAt).ThenBy(c => c.Id.ToString()).Select(c => c.Id).ToList();
        Assert.Equal(expected, all.Select(c => c.Id));
        Assert.Equal(ids.Order().ToHashSet(), all.Select(c => c.Id).ToHashSet());

        Assert.Equal(expected.Where(id => id != ids[0] && id != ids[3]), (await ListCtaEventsAsync(Db, new CtaEventQuery { RunId = run })).Items.Select(c => c.Id));
        Assert.Equal(expected.Where(id => id == ids[0] || id == ids[3]),
            (await ListCtaEventsAsync(Db, new CtaEventQuery { RunId = run, State = CtaEventState.Resolved })).Items.Select(c => c.Id));

        var paged = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ListCtaEventsAsync(Db, new CtaEventQuery { RunId = run, State = CtaEventState.All, PageSize = 2, Cursor = cursor });
            Assert.True(page.Items.Count is > 0 and <= 2);
            paged.AddRange(page.Items.Select(c => c.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(expected, paged);
        Assert.Equal(4, pages);

        var acrossRuns = new List<Guid>();
        cursor = null;
        do
        {
            var page = await ListCtaEventsAsync(Db, new CtaEventQuery { PageSize = 3, Cursor = cursor });
            acrossRuns.AddRange(page.Items.Select(c => c.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(acrossRuns.Distinct().Count(), acrossRuns.Count);
        Assert.Contains(elsewhere, acrossRuns);
        Assert.Equal(expected.Where(id => id != ids[0] && id != ids[3]), acrossRuns.Where(ids.Contains));
    }
}

public sealed class SqliteReadTests(SqliteFixture f) : ReadTests<SqliteFixture>(f);
public sealed class PostgreSqlReadTests(PostgreSqlFixture f) : ReadTests<PostgreSqlFixture>(f);
