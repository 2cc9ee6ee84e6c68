using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// <see cref="PipelinePersistence.ListInvocationUsageAsync"/>: one narrow row per invocation with the token rule
/// of <see cref="FeatureRun.Tokens"/>, step and tool-call counts, keyset pages, input checks before any I/O and
/// an index for a run's rows; and <see cref="PipelinePersistence.GetPhaseResultAsync"/>.
/// </summary>
public abstract class UsageReadTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    /// <summary>An hour of its own on the test's clock, so the rows of other tests sharing the database fall outside it.</summary>
    private DateTimeOffset OwnHour()
    {
        var start = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Random.Shared.Next(1_000_000));
        Clock.Set(start);
        return start;
    }

    [Fact]
    public async Task A_runs_rows_count_completed_invocations_own_tokens_and_running_ones_their_steps_with_steps_and_tool_calls()
    {
        var (run, phase) = await Seed.PhaseAsync(Db, FeaturePhase.Approaches);
        var startedA = Clock.Advance(TimeSpan.FromSeconds(1));
        var a = await CreateAgentInvocationAsync(Db, new NewAgentInvocation
        {
            PhaseResultId = phase, AgentType = AgentType.Orchestrator, ModelProvider = "anthropic", ModelId = "claude-x",
        });
        var stepA = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = a, StepNumber = 0, Usage = new TokenUsage { InputTokens = 1, TotalTokens = 1 } });
        await CreateToolCallAsync(Db, new NewToolCall { StepId = stepA, ToolCallId = "c1", ToolName = "bash" });
        await CreateToolCallAsync(Db, new NewToolCall { StepId = stepA, ToolCallId = "c2", ToolName = "read" });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = a, StepNumber = 1 });
        Clock.Advance(TimeSpan.FromSeconds(1));
        var startedB = Clock.Advance(TimeSpan.FromSeconds(1));
        var b = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, ParentInvocationId = a, AgentType = AgentType.Explorer, ModelId = "small" });
        var stepB = await CreateAgentStepAsync(Db, new NewAgentStep
        {
            InvocationId = b, StepNumber = 0, Usage = new TokenUsage { InputTokens = 100, OutputTokens = 3, TotalTokens = 103, InputCacheReadTokens = 5_000_000_000 },
        });
        await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = b, StepNumber = 1, Usage = new TokenUsage { InputTokens = 200, OutputTokens = 4 } });
        await CreateToolCallAsync(Db, new NewToolCall { StepId = stepB, ToolCallId = "c3", ToolName = "grep" });
        var completedA = Clock.Advance(TimeSpan.FromSeconds(5));
        // A's own totals win over its steps' once it completes.
        await CompleteAgentInvocationAsync(Db, a, new AgentInvocationCompletion
        {
            FinishReason = FinishReason.Stop,
            Usage = new TokenUsage { InputTokens = 7_000_000_000, OutputTokens = 20, TotalTokens = 7_000_000_020, OutputReasoningTokens = 6 },
        });
        var other = await Seed.InvocationAsync(Db);

        var page = await ListInvocationUsageAsync(Db, new InvocationUsageQuery { RunId = run });

        Assert.Null(page.NextCursor);
        Assert.Equal([a, b], page.Items.Select(i => i.InvocationId));
        Assert.DoesNotContain(page.Items, i => i.InvocationId == other.Invocation);
        var ra = page.Items[0];
        Assert.Equal((run, phase, FeaturePhase.Approaches, (Guid?)null, AgentType.Orchestrator, "anthropic", "claude-x", (FinishReason?)FinishReason.Stop),
            (ra.RunId, ra.PhaseResultId, ra.Phase, ra.ParentInvocationId, ra.AgentType, ra.ModelProvider, ra.ModelId, ra.FinishReason));
        Assert.Equal(new TokenUsage { InputTokens = 7_000_000_000, OutputTokens = 20, TotalTokens = 7_000_000_020, OutputReasoningTokens = 6 }, ra.Tokens);
        Assert.False(ra.TokensFromSteps);
        Assert.Equal((2, 2, startedA, (DateTimeOffset?)completedA), (ra.StepCount, ra.ToolCallCount, ra.StartedAt, ra.CompletedAt));
        var rb = page.Items[1];
        Assert.Equal(((Guid?)a, AgentType.Explorer, (string?)null, "small", (FinishReason?)null), (rb.ParentInvocationId, rb.AgentType, rb.ModelProvider, rb.ModelId, rb.FinishReason));
        Assert.Equal(new TokenUsage { InputTokens = 300, OutputTokens = 7, TotalTokens = 103, InputCacheReadTokens = 5_000_000_000 }, rb.Tokens);
        Assert.True(rb.TokensFromSteps);
        Assert.Equal((2, 1, startedB, (DateTimeOffset?)null), (rb.StepCount, rb.ToolCallCount, rb.StartedAt, rb.CompletedAt));
        Assert.Equal(TimeSpan.Zero, rb.StartedAt.Offset);
        // The same rule as the run's own totals.
        var tokens = (await GetFeatureRunAsync(Db, run)).Tokens;
        Assert.Equal(tokens.TotalTokens, page.Items.Sum(i => i.Tokens.TotalTokens));
        Assert.Equal(tokens.InputTokens, page.Items.Sum(i => i.Tokens.InputTokens));
    }

    [Fact]
    public async Task Pages_over_a_time_range_visit_every_invocation_once_oldest_first_while_more_start()
    {
        var from = OwnHour();
        var (_, phase1) = await Seed.PhaseAsync(Db);
        var (_, phase2) = await Seed.PhaseAsync(Db, FeaturePhase.Judging);
        var expected = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            // Three pairs start in the same tick: the id tells them apart.
            if (i % 2 == 0)
            {
                Clock.Advance(TimeSpan.FromMilliseconds(10));
            }
            expected.Add(await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = i % 2 == 0 ? phase1 : phase2, AgentType = AgentType.Coder }));
        }
        var to = from.AddHours(1);
        Clock.Set(to); // starts at the end of the range: outside it
        await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase1, AgentType = AgentType.Judge });

        var seen = new List<InvocationUsage>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ListInvocationUsageAsync(Db, new InvocationUsageQuery { StartedFrom = from, StartedTo = to, PageSize = 2, Cursor = cursor });
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
            if (pages == 2)
            {
                // Started after the cursor's row, inside the range: the walk finds it.
                Clock.Set(from.AddMinutes(30));
                expected.Add(await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase2, AgentType = AgentType.Explorer }));
            }
        }
        while (cursor is not null);

        Assert.Equal(expected.Count, seen.Select(s => s.InvocationId).Distinct().Count());
        Assert.Equal(expected.Order(), seen.Select(s => s.InvocationId).Order());
        Assert.Equal(seen.OrderBy(s => s.StartedAt).Select(s => s.StartedAt), seen.Select(s => s.StartedAt));
        Assert.All(seen, s => Assert.InRange(s.StartedAt, from, to.AddTicks(-1)));
        Assert.Equal(4, pages);
    }

    [Fact]
    public async Task A_usage_cursor_continues_only_its_own_query_and_another_throws_naming_query_Cursor()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder });
        }
        var query = new InvocationUsageQuery { RunId = run, PageSize = 1 };
        var cursor = (await ListInvocationUsageAsync(Db, query)).NextCursor!;
        var ctaRun = await Seed.RunAsync(Db);
        await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = ctaRun, Kind = CtaKind.Approval, RequestMessage = "a" });
        await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = ctaRun, Kind = CtaKind.Approval, RequestMessage = "b" });
        var ctaCursor = (await ListCtaEventsAsync(Db, new CtaEventQuery { RunId = ctaRun, PageSize = 1 })).NextCursor!;
        foreach (var bad in new[]
        {
            query with { RunId = null, Cursor = cursor },
            query with { StartedFrom = Clock.Now.AddDays(-1), Cursor = cursor },
            query with { Cursor = ctaCursor },
            query with { Cursor = $"{Clock.Now.UtcTicks}.{Guid.NewGuid():N}" }, // the old ticks.id form
        })
        {
            Assert.Equal("query.Cursor", (await Assert.ThrowsAsync<ArgumentException>(() => ListInvocationUsageAsync(Db, bad))).ParamName);
        }
        Assert.Equal("query.Cursor", (await Assert.ThrowsAsync<ArgumentException>(() =>
            ListCtaEventsAsync(Db, new CtaEventQuery { RunId = ctaRun, PageSize = 1, Cursor = cursor }))).ParamName);
        Assert.Equal(2, (await ListInvocationUsageAsync(Db, query with { Cursor = cursor, PageSize = 10 })).Items.Count);
    }

    [Theory]
    [InlineData("query.RunId")]
    [InlineData("query.PageSize")]
    [InlineData("query.StartedFrom")]
    [InlineData("query.StartedTo")]
    [InlineData("query.Cursor")]
    public async Task Bad_input_is_refused_naming_the_field_before_any_io(string field)
    {
        var query = field switch
        {
            "query.RunId" => new InvocationUsageQuery { RunId = Guid.Empty },
            "query.PageSize" => new InvocationUsageQuery { PageSize = InvocationUsageQuery.MaxPageSize + 1 },
            "query.StartedFrom" => new InvocationUsageQuery { StartedFrom = Clock.Now, StartedTo = Clock.Now.AddTicks(-10) },
            "query.StartedTo" => new InvocationUsageQuery { StartedTo = default(DateTimeOffset) },
            _ => new InvocationUsageQuery { Cursor = "not-a-cursor" },
        };
        // A handle on a database that does not exist: any I/O would fail otherwise than with the field's name.
        await using var nowhere = PipelineDb.Open(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing", "x.db"));

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => ListInvocationUsageAsync(nowhere, query));
        Assert.Equal(field, e.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ListInvocationUsageAsync(nowhere, new InvocationUsageQuery { PageSize = 0 }));
    }

    [Fact]
    public async Task A_runs_rows_are_found_by_an_index_on_every_page()
    {
        var (run, _, _) = await Seed.InvocationAsync(Db);
        foreach (var after in new[] { false, true })
        {
            object?[] args = after ? [run, Clock.Now, Guid.CreateVersion7(), 101] : [run, 101];
            var plan = await QueryPlans.ExplainAsync(Db, PipelinePersistence.InvocationUsageSql(byRun: true, from: false, to: false, after: after), args, indexesOnly: true);
            // A run's invocations are few: sorting them is cheap, reading the tables whole is not.
            Assert.True(QueryPlans.FullReads(plan, sorts: false).Length == 0, string.Join("\n", plan));
            Assert.Contains(plan, l => l.Contains("run_id", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_time_range_without_a_run_is_read_through_the_started_at_index_in_order_on_every_page()
    {
        await Seed.InvocationAsync(Db);
        foreach (var after in new[] { false, true })
        {
            object?[] args = after ? [Clock.Now.AddDays(-1), Clock.Now.AddDays(1), Clock.Now, Guid.CreateVersion7(), 101] : [Clock.Now.AddDays(-1), Clock.Now.AddDays(1), 101];
            var plan = await QueryPlans.ExplainAsync(Db, PipelinePersistence.InvocationUsageSql(byRun: false, from: true, to: true, after: after), args, indexesOnly: true);
            // Neither a full read of agent_invocations nor a sort of the range: a walk of the index that stops when the page is full.
            Assert.True(QueryPlans.FullReads(plan).Length == 0, string.Join("\n", plan));
            Assert.Contains(plan, l => l.Contains("IX_agent_invocations_started_at_id", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_phase_result_reads_back_whole_and_a_missing_one_is_not_found()
    {
        var (run, phase) = await Seed.PhaseAsync(Db, FeaturePhase.Implementation);
        const string output = """{"z":1,"a":[1e400,-3.128163257315464E-07],"t":"\u00e9"}""";
        var started = Clock.Now;
        Clock.Advance(TimeSpan.FromSeconds(3));
        await PassPhaseResultAsync(Db, phase, Json(output));

        var read = await GetPhaseResultAsync(Db, phase);

        Assert.Equal((phase, run, FeaturePhase.Implementation, PhaseStatus.Passed, started, (DateTimeOffset?)Clock.Now),
            (read.Id, read.RunId, read.Phase, read.Status, read.StartedAt, read.CompletedAt));
        Assert.Equal(output, Assert.NotNull(read.Output).GetRawText());
        await Assert.ThrowsAsync<RecordNotFoundException>(() => GetPhaseResultAsync(Db, Guid.CreateVersion7()));
        Assert.Equal("phaseResultId", (await Assert.ThrowsAsync<ArgumentException>(() => GetPhaseResultAsync(Db, Guid.Empty))).ParamName);
    }
}

public sealed class SqliteUsageReadTests(SqliteFixture f) : UsageReadTests<SqliteFixture>(f);
public sealed class PostgreSqlUsageReadTests(PostgreSqlFixture f) : UsageReadTests<PostgreSqlFixture>(f);
