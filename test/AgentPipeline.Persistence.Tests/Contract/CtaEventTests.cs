using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

public abstract class CtaEventTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static readonly CtaOption[] Options = [new("a", "Approach A: feature flag"), new("b", "Approach B: new service")];

    private async Task<Guid> CtaAsync(CtaKind kind)
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        return await CreateCtaEventAsync(Db, kind switch
        {
            CtaKind.Approval => new NewCtaEvent { RunId = run, PhaseResultId = phase, InvocationId = invocation, Kind = kind, RequestMessage = "Open the PR?" },
            CtaKind.Text => new NewCtaEvent { RunId = run, PhaseResultId = phase, Kind = kind, RequestPrompt = "Which DB?", RequestPlaceholder = "postgres" },
            _ => new NewCtaEvent { RunId = run, Kind = kind, RequestPrompt = "Pick one", RequestOptions = Options, ToolCallId = "toolu_ask" },
        });
    }

    [Fact]
    public async Task Create_stores_each_kinds_request_with_options_as_id_label_objects()
    {
        var (run, phase, invocation) = await Seed.InvocationAsync(Db);
        var approval = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, PhaseResultId = phase, InvocationId = invocation, ToolCallId = "toolu_1", Kind = CtaKind.Approval, RequestMessage = "Open the PR?" });
        var text = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Text, RequestPrompt = "Which DB?", RequestPlaceholder = "postgres" });
        var choice = await CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Choice, RequestPrompt = "Pick one", RequestOptions = Options });

        var a = await Fixture.RowAsync("cta_events", approval);
        Assert.Equal((run, phase, invocation), (AsGuid(a["run_id"])!.Value, AsGuid(a["phase_result_id"])!.Value, AsGuid(a["invocation_id"])!.Value));
        Assert.Equal(("approval", "Open the PR?", "toolu_1"), (a["kind"], a["request_message"], a["tool_call_id"]));
        Assert.Equal(Clock.Now, AsTime(a["requested_at"]));
        Assert.False(AsBool(a["timed_out"]));
        Assert.Null(a["responded_at"]);
        var t = await Fixture.RowAsync("cta_events", text);
        Assert.Equal(("text", "Which DB?", "postgres"), (t["kind"], t["request_prompt"], t["request_placeholder"]));
        Assert.Null(t["invocation_id"]);
        var c = await Fixture.RowAsync("cta_events", choice);
        Assert.Equal("choice", c["kind"]);
        AssertJson("""[{"id":"a","label":"Approach A: feature flag"},{"id":"b","label":"Approach B: new service"}]""", c["request_options"]);
    }

    public static TheoryData<string, NewCtaEvent> BadRequests => new()
    {
        { "data.RequestMessage", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Approval } },
        { "data.RequestOptions", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Approval, RequestMessage = "m", RequestOptions = Options } },
        { "data.RequestPrompt", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Text } },
        { "data.RequestMessage", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Text, RequestPrompt = "p", RequestMessage = "m" } },
        { "data.RequestOptions", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Choice, RequestPrompt = "p" } },
        { "data.RequestOptions", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Choice, RequestPrompt = "p", RequestOptions = [] } },
        { "data.RequestOptions[1].Id", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Choice, RequestPrompt = "p", RequestOptions = [new("a", "A"), new("a", "again")] } },
        { "data.RequestOptions[0].Label", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Choice, RequestPrompt = "p", RequestOptions = [new("a", "")] } },
        { "data.RequestPlaceholder", new NewCtaEvent { RunId = Guid.NewGuid(), Kind = CtaKind.Choice, RequestPrompt = "p", RequestOptions = Options, RequestPlaceholder = "x" } },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_request_that_does_not_fit_its_kind_is_refused_naming_the_field(string field, NewCtaEvent data)
    {
        var run = await Seed.RunAsync(Db);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateCtaEventAsync(Db, data with { RunId = run }));
        Assert.Equal(field, e.ParamName);
        Assert.Equal(0, await Fixture.CountAsync("cta_events", "run_id = @r", ("r", run)));
    }

    [Theory]
    [InlineData(CtaKind.Approval)]
    [InlineData(CtaKind.Text)]
    [InlineData(CtaKind.Choice)]
    public async Task Complete_stores_the_answer_and_responded_at(CtaKind kind)
    {
        var cta = await CtaAsync(kind);
        var answeredAt = Clock.Advance(TimeSpan.FromMinutes(2));
        var response = kind switch { CtaKind.Approval => CtaResponse.Reject("Tests fail"), CtaKind.Text => CtaResponse.WithText("SQLite"), _ => CtaResponse.Choose("b") };
        await CompleteCtaEventAsync(Db, cta, response);

        var row = await Fixture.RowAsync("cta_events", cta);
        Assert.Equal(response.Approved, AsBool(row["response_approved"]));
        Assert.Equal(response.Reason, row["response_reason"]);
        Assert.Equal(response.Text, row["response_text"]);
        Assert.Equal(response.SelectedId, row["response_selected_id"]);
        Assert.Equal(answeredAt, AsTime(row["responded_at"]));
        Assert.False(AsBool(row["timed_out"]));
    }

    public static TheoryData<CtaKind, CtaResponse, string> Mismatches => new()
    {
        { CtaKind.Approval, new CtaResponse(), "responseData.Approved" },
        { CtaKind.Approval, CtaResponse.WithText("yes"), "responseData.Approved" },
        { CtaKind.Approval, new CtaResponse { Approved = true, SelectedId = "a" }, "responseData.SelectedId" },
        { CtaKind.Text, CtaResponse.Approve(), "responseData.Text" },
        { CtaKind.Text, new CtaResponse { Text = "x", Reason = "why" }, "responseData.Reason" },
        { CtaKind.Text, CtaResponse.Choose("a"), "responseData.Text" },
        { CtaKind.Choice, CtaResponse.WithText("a"), "responseData.SelectedId" },
        { CtaKind.Choice, CtaResponse.Approve(), "responseData.SelectedId" },
        { CtaKind.Choice, CtaResponse.Choose("c"), "responseData.SelectedId" },
        { CtaKind.Choice, CtaResponse.Choose("A"), "responseData.SelectedId" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public async Task An_answer_that_does_not_match_the_request_is_refused_and_nothing_is_written(CtaKind kind, CtaResponse response, string field)
    {
        var cta = await CtaAsync(kind);
        var before = await Fixture.RowAsync("cta_events", cta);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => CompleteCtaEventAsync(Db, cta, response));

        Assert.Equal(field, e.ParamName);
        Assert.Equal(before, await Fixture.RowAsync("cta_events", cta));
    }

    [Fact]
    public async Task Answering_a_timed_out_cta_throws_already_resolved_with_the_timeout()
    {
        var cta = await CtaAsync(CtaKind.Approval);
        var timedOutAt = Clock.Now;
        await TimeoutCtaEventAsync(Db, cta);
        Clock.Advance(TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<CtaAlreadyResolvedException>(() => CompleteCtaEventAsync(Db, cta, CtaResponse.Approve()));

        Assert.Equal(new CtaResolution(true, null, timedOutAt), e.Resolution);
        var row = await Fixture.RowAsync("cta_events", cta);
        Assert.True(AsBool(row["timed_out"]));
        Assert.Null(row["response_approved"]);
        Assert.Equal(timedOutAt, AsTime(row["responded_at"]));
    }

    [Fact]
    public async Task Timing_out_an_answered_cta_throws_already_resolved_with_the_answer()
    {
        var cta = await CtaAsync(CtaKind.Choice);
        var answeredAt = Clock.Now;
        await CompleteCtaEventAsync(Db, cta, CtaResponse.Choose("a"));

        var e = await Assert.ThrowsAsync<CtaAlreadyResolvedException>(() => TimeoutCtaEventAsync(Db, cta));

        Assert.Equal(new CtaResolution(false, CtaResponse.Choose("a"), answeredAt), e.Resolution);
        Assert.False(AsBool((await Fixture.RowAsync("cta_events", cta))["timed_out"]));
    }

    [Fact]
    public async Task Repeating_the_winning_call_is_a_no_op_and_another_answer_is_refused()
    {
        var answered = await CtaAsync(CtaKind.Text);
        await CompleteCtaEventAsync(Db, answered, CtaResponse.WithText("Use SQLite"));
        var before = await Fixture.RowAsync("cta_events", answered);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await CompleteCtaEventAsync(Db, answered, CtaResponse.WithText("Use SQLite"));
        var e = await Assert.ThrowsAsync<CtaAlreadyResolvedException>(() => CompleteCtaEventAsync(Db, answered, CtaResponse.WithText("Use Postgres")));
        Assert.Equal("Use SQLite", e.Resolution.Response!.Text);
        Assert.Equal(before, await Fixture.RowAsync("cta_events", answered));

        var timedOut = await CtaAsync(CtaKind.Text);
        await TimeoutCtaEventAsync(Db, timedOut);
        var beforeTimeout = await Fixture.RowAsync("cta_events", timedOut);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await TimeoutCtaEventAsync(Db, timedOut);
        Assert.Equal(beforeTimeout, await Fixture.RowAsync("cta_events", timedOut));
    }

    [Fact]
    public async Task Complete_or_timeout_of_a_missing_cta_throws_not_found()
    {
        var id = Guid.NewGuid();
        var e = await Assert.ThrowsAsync<RecordNotFoundException>(() => CompleteCtaEventAsync(Db, id, CtaResponse.Approve()));
        Assert.Equal(("cta_events", id.ToString()), (e.Table, e.Id));
        await Assert.ThrowsAsync<RecordNotFoundException>(() => TimeoutCtaEventAsync(Db, id));
    }

    [Fact]
    public async Task Create_with_missing_or_foreign_parents_is_refused_and_nothing_is_written()
    {
        var (run, _, _) = await Seed.InvocationAsync(Db);
        var (_, foreignPhase, foreignInvocation) = await Seed.InvocationAsync(Db);
        var missing = Guid.NewGuid();
        var id = Guid.NewGuid();
        NewCtaEvent Ask(Guid runId) => new() { Id = id, RunId = runId, Kind = CtaKind.Approval, RequestMessage = "ok?" };

        var e1 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateCtaEventAsync(Db, Ask(missing)));
        var e2 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateCtaEventAsync(Db, Ask(run) with { PhaseResultId = missing }));
        var e3 = await Assert.ThrowsAsync<RecordNotFoundException>(() => CreateCtaEventAsync(Db, Ask(run) with { InvocationId = missing }));
        var e4 = await Assert.ThrowsAsync<ArgumentException>(() => CreateCtaEventAsync(Db, Ask(run) with { PhaseResultId = foreignPhase }));
        var e5 = await Assert.ThrowsAsync<ArgumentException>(() => CreateCtaEventAsync(Db, Ask(run) with { InvocationId = foreignInvocation }));

        Assert.Equal(["feature_runs", "phase_results", "agent_invocations"], new[] { e1.Table, e2.Table, e3.Table });
        Assert.Equal(("data.PhaseResultId", "data.InvocationId"), (e4.ParamName, e5.ParamName));
        Assert.Equal(0, await Fixture.CountAsync("cta_events", "id = @id", ("id", id)));
    }

    [Fact]
    public async Task Create_replayed_is_a_no_op_and_with_other_options_a_conflict()
    {
        var run = await Seed.RunAsync(Db);
        var data = new NewCtaEvent { Id = Guid.NewGuid(), RunId = run, Kind = CtaKind.Choice, RequestPrompt = "Pick", RequestOptions = Options };
        await CreateCtaEventAsync(Db, data);
        Assert.Equal(data.Id, await CreateCtaEventAsync(Db, data with { RequestOptions = [.. Options] }));

        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateCtaEventAsync(Db, data with { RequestOptions = [Options[0]] }));

        Assert.Equal(["request_options"], e.DifferingColumns);
        Assert.Equal(1, await Fixture.CountAsync("cta_events", "run_id = @r", ("r", run)));
    }
}

public sealed class SqliteCtaEventTests(SqliteFixture f) : CtaEventTests<SqliteFixture>(f);
public sealed class PostgreSqlCtaEventTests(PostgreSqlFixture f) : CtaEventTests<PostgreSqlFixture>(f);
