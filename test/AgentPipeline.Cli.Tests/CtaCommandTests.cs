using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// <c>cta answer</c> and <c>cta timeout</c> change the database through the store's functions, and
/// every integrity rule shows as a one-line error and its exit code. Each test asks its own CTA
/// through the library, then answers it through the CLI process and reads the row back.
/// </summary>
public abstract class CtaCommandTests<TStore>(TStore fixture) : IClassFixture<TStore>, IDisposable
    where TStore : StoreFixture
{
    private static readonly CtaOption[] Options = [new("a", "Token bucket in Redis"), new("b", "Sliding window in Postgres")];

    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Approve_with_a_reason_stores_the_answer_and_prints_it()
    {
        var cta = await AskAsync(CtaKind.Approval);

        var result = await CliAsync("cta", "answer", Short(cta), "--approve", "--reason", "Ship it");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = await fixture.RowAsync("cta_events", cta);
        Assert.Equal((true, "Ship it", false), (AsBool(row["response_approved"]), row["response_reason"], AsBool(row["timed_out"])));
        Assert.NotNull(row["responded_at"]);
        Assert.Contains("approved: \"Ship it\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reject_stores_a_refusal()
    {
        var cta = await AskAsync(CtaKind.Approval);

        var result = await CliAsync("cta", "answer", cta.ToString(), "--reject");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = await fixture.RowAsync("cta_events", cta);
        Assert.Equal((false, null), (AsBool(row["response_approved"]), row["response_reason"]));
        Assert.Contains("rejected", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_answer_is_stored_as_typed()
    {
        var cta = await AskAsync(CtaKind.Text);

        var result = await CliAsync("cta", "answer", Short(cta), "--text", "Mock the repository layer; no DATABASE_URL.");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = await fixture.RowAsync("cta_events", cta);
        Assert.Equal(("Mock the repository layer; no DATABASE_URL.", null), (row["response_text"], AsBool(row["response_approved"])));
    }

    [Fact]
    public async Task Choose_stores_the_selected_option()
    {
        var cta = await AskAsync(CtaKind.Choice);

        var result = await CliAsync("cta", "answer", Short(cta), "--choose", "b");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("b", (await fixture.RowAsync("cta_events", cta))["response_selected_id"]);
        Assert.Contains("chose b (Sliding window in Postgres)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_marks_an_open_cta_as_timed_out()
    {
        var cta = await AskAsync(CtaKind.Text);

        var result = await CliAsync("cta", "timeout", Short(cta));

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = await fixture.RowAsync("cta_events", cta);
        Assert.True(AsBool(row["timed_out"]));
        Assert.NotNull(row["responded_at"]);
        Assert.Contains("timed out", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answering_a_timed_out_cta_exits_3_saying_it_timed_out_first_and_stores_nothing()
    {
        var cta = await AskAsync(CtaKind.Approval);
        await TimeoutCtaEventAsync(fixture.Open(), cta);
        var before = await fixture.RowAsync("cta_events", cta);
        var timedOutAt = Utc(AsTime(before["responded_at"])!.Value); // the same form as every time the CLI prints

        var result = await CliAsync("cta", "answer", Short(cta), "--approve");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal($"error: CTA {Short(cta)} had already timed out at {timedOutAt}; the answer was not stored.\n", result.Stderr);
        Assert.Equal(before, await fixture.RowAsync("cta_events", cta));
    }

    [Fact]
    public async Task Cta_show_prints_who_asked_the_whole_question_the_options_and_the_answer_in_utc()
    {
        var cta = await AskAsync(CtaKind.Choice);
        await CompleteCtaEventAsync(fixture.Open(), cta, CtaResponse.Choose("b"));
        var row = await fixture.RowAsync("cta_events", cta);

        var result = await CliAsync("cta", "show", Short(cta));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                $"CTA {cta} ({Short(cta)})",
                "  choice in analysis, run " + Short(AsGuid(row["run_id"])!.Value),
                $"  asked at {Utc(AsTime(row["requested_at"])!.Value)}",
                "Question",
                "  Which approach?",
                "Options",
                "  a) Token bucket in Redis",
                "  b) Sliding window in Postgres",
                "Answer",
                $"  chose b (Sliding window in Postgres) at {Utc(AsTime(row["responded_at"])!.Value)}",
            ],
            result.StdoutLines);
    }

    [Fact]
    public async Task Cta_show_prints_a_long_open_question_whole_names_the_asking_agent_and_how_to_answer()
    {
        var db = fixture.Open();
        var (run, phase, invocation) = await Seed.InvocationAsync(db);
        var question = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"part{i}")) + " — open the pull request?";
        var cta = await CreateCtaEventAsync(db, new NewCtaEvent { RunId = run, PhaseResultId = phase, InvocationId = invocation, Kind = CtaKind.Approval, RequestMessage = question });

        var result = await CliAsync("cta", "show", cta.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(question, result.FlatStdout, StringComparison.Ordinal);
        Assert.All(result.StdoutLines, l => Assert.True(l.Length <= 80, l));
        Assert.Contains(result.StdoutLines, l => l.StartsWith($"  asked by orchestrator {Short(invocation)} at ", StringComparison.Ordinal) && l.EndsWith('Z'));
        Assert.Contains($"  agentpipe cta answer {Short(cta)} --approve --reason \"Looks good\"", result.StdoutLines);
    }

    [Fact]
    public async Task Local_prints_times_in_the_machines_zone_with_its_offset()
    {
        var cta = await AskAsync(CtaKind.Text);
        await CompleteCtaEventAsync(fixture.Open(), cta, CtaResponse.WithText("Mock it."));
        var row = await fixture.RowAsync("cta_events", cta);
        var kolkata = new Dictionary<string, string?> { ["TZ"] = "Asia/Kolkata" }; // +05:30 all year

        var local = await AgentPipe.RunAsync(_folder.Path, kolkata, "cta", "show", Short(cta), "--local", "--db", fixture.Target);

        Assert.True(local.ExitCode == 0, local.ToString());
        var at = AsTime(row["responded_at"])!.Value.ToOffset(TimeSpan.FromMinutes(330));
        Assert.Contains($"  answered: \"Mock it.\" at {at.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)}+05:30", local.StdoutLines);
    }

    [Fact]
    public async Task Timing_out_an_answered_cta_exits_3_naming_the_answer_that_won()
    {
        var cta = await AskAsync(CtaKind.Approval);
        await CompleteCtaEventAsync(fixture.Open(), cta, CtaResponse.Approve("Looks good"));

        var result = await CliAsync("cta", "timeout", Short(cta));

        Assert.Equal(3, result.ExitCode);
        Assert.Matches($"^error: CTA {Short(cta)} was already answered at .+ \\(approved: \"Looks good\"\\); it was not timed out\\.\n$", result.Stderr);
        Assert.False(AsBool((await fixture.RowAsync("cta_events", cta))["timed_out"]));
    }

    [Fact]
    public async Task Repeating_the_same_answer_is_a_no_op()
    {
        var cta = await AskAsync(CtaKind.Choice);
        await CompleteCtaEventAsync(fixture.Open(), cta, CtaResponse.Choose("a"));
        var before = await fixture.RowAsync("cta_events", cta);

        var result = await CliAsync("cta", "answer", Short(cta), "--choose", "a");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(before, await fixture.RowAsync("cta_events", cta));
    }

    [Theory]
    [InlineData(CtaKind.Approval, "--text", "yes", "asks for an approval: answer it with --approve or --reject.")]
    [InlineData(CtaKind.Text, "--approve", null, "asks for a text answer: answer it with --text.")]
    [InlineData(CtaKind.Choice, "--text", "b", "asks for a choice: answer it with --choose and one of a, b.")]
    public async Task An_answer_of_the_wrong_kind_exits_1_and_stores_nothing(CtaKind kind, string option, string? value, string message)
    {
        var cta = await AskAsync(kind);

        var result = await CliAsync(value is null ? ["cta", "answer", Short(cta), option] : ["cta", "answer", Short(cta), option, value]);

        Assert.Equal((1, $"error: CTA {Short(cta)} {message}\n"), (result.ExitCode, result.Stderr));
        Assert.Null((await fixture.RowAsync("cta_events", cta))["responded_at"]);
    }

    [Fact]
    public async Task A_choice_that_is_not_an_option_exits_1_listing_the_options()
    {
        var cta = await AskAsync(CtaKind.Choice);

        var result = await CliAsync("cta", "answer", Short(cta), "--choose", "c");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: 'c' is not an option of CTA {Short(cta)}; the options are a (Token bucket in Redis), b (Sliding window in Postgres).\n", result.Stderr);
        Assert.Null((await fixture.RowAsync("cta_events", cta))["responded_at"]);
    }

    [Fact]
    public async Task An_unknown_cta_exits_2()
    {
        var result = await CliAsync("cta", "answer", "0000000000", "--approve");

        Assert.Equal((2, "error: No CTA matches '0000000000'.\n"), (result.ExitCode, result.Stderr));
    }

    [Fact]
    public async Task An_ambiguous_cta_id_exits_1_naming_both()
    {
        // The fixture's database is shared with the other tests, whose UUIDv7 ids made in the same minute share
        // their leading digits; two ids given here share 16 random digits that no other CTA has.
        var shared = Guid.NewGuid().ToString("N")[..16];
        var first = await AskAsync(CtaKind.Approval, Guid.ParseExact(shared + "0" + Guid.NewGuid().ToString("N")[17..], "N"));
        var second = await AskAsync(CtaKind.Approval, Guid.ParseExact(shared + "1" + Guid.NewGuid().ToString("N")[17..], "N"));

        var result = await CliAsync("cta", "timeout", shared);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"'{shared}' matches 2 CTAs", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(first.ToString(), result.Stderr, StringComparison.Ordinal);
        Assert.Contains(second.ToString(), result.Stderr, StringComparison.Ordinal);
        Assert.Null((await fixture.RowAsync("cta_events", first))["responded_at"]);
    }

    [Theory]
    [InlineData("error: Give one answer: --approve, --reject, --text or --choose.")]
    [InlineData("error: Give one answer, not --approve and --text.", "--approve", "--text", "x")]
    [InlineData("error: --reason goes with --approve or --reject.", "--text", "x", "--reason", "why")]
    public async Task Usage_errors_exit_1_with_one_line_and_a_pointer_to_help(string message, params string[] options)
    {
        var cta = await AskAsync(CtaKind.Text);

        var result = await CliAsync(["cta", "answer", Short(cta), .. options]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"{message}\nRun 'agentpipe cta answer --help' for usage.\n", result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.Null((await fixture.RowAsync("cta_events", cta))["responded_at"]);
    }

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> CliAsync(params string[] args) => AgentPipe.RunAsync(_folder.Path, [.. args, "--db", fixture.Target]);

    private static string Short(Guid id) => DbFacts.ShortId(id);

    /// <summary>How the CLI prints an instant without <c>--local</c>: UTC to the second, with a <c>Z</c>.</summary>
    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "Z";

    /// <summary>A run with an invocation that asks one CTA of <paramref name="kind"/>, through the library.</summary>
    private async Task<Guid> AskAsync(CtaKind kind, Guid? id = null)
    {
        var db = fixture.Open();
        var (run, phase, invocation) = await Seed.InvocationAsync(db);
        return await CreateCtaEventAsync(db, kind switch
        {
            CtaKind.Approval => new NewCtaEvent { Id = id, RunId = run, PhaseResultId = phase, InvocationId = invocation, Kind = kind, RequestMessage = "Open the PR?" },
            CtaKind.Text => new NewCtaEvent { RunId = run, PhaseResultId = phase, Kind = kind, RequestPrompt = "How should I get a test database?" },
            _ => new NewCtaEvent { RunId = run, PhaseResultId = phase, Kind = kind, RequestPrompt = "Which approach?", RequestOptions = Options },
        });
    }
}

public sealed class SqliteCtaCommandTests(SqliteFixture fixture) : CtaCommandTests<SqliteFixture>(fixture);

public sealed class PostgreSqlCtaCommandTests(PostgreSqlFixture fixture) : CtaCommandTests<PostgreSqlFixture>(fixture);
