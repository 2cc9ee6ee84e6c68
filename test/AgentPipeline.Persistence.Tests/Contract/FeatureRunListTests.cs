using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// ListFeatureRuns: filters, newest-first order, keyset pages. Each test lists the runs of a database
/// of its own (the class's database holds other tests' runs), opened on the test's clock.
/// </summary>
public abstract class FeatureRunListTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture), IAsyncLifetime
    where TFixture : StoreFixture
{
    private readonly List<PipelineDb> _fresh = [];

    /// <summary>A new migrated database, on <paramref name="clock"/> (the test's by default).</summary>
    private async Task<(PipelineDb Db, string Target)> FreshAsync(TimeProvider? clock = null)
    {
        var target = await Fixture.CreateDatabaseAsync();
        var db = PipelineDb.Open(target, clock ?? Clock);
        _fresh.Add(db);
        await db.MigrateAsync();
        return (db, target);
    }

    public new async Task DisposeAsync()
    {
        foreach (var db in _fresh)
        {
            await db.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private static async Task<List<FeatureRunSummary>> AllAsync(PipelineDb db, FeatureRunQuery query)
    {
        var all = new List<FeatureRunSummary>();
        for (var q = query; ;)
        {
            var page = await ListFeatureRunsAsync(db, q);
            all.AddRange(page.Items);
            if (page.NextCursor is null)
            {
                return all;
            }
            q = q with { Cursor = page.NextCursor };
        }
    }

    private async Task<Guid> RunAtAsync(PipelineDb db, TimeSpan after, string prompt = "Add dark mode", string? repo = null)
    {
        Clock.Set(Start + after);
        return await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = prompt, GithubRepoUrl = repo });
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static Task<Guid> OpenCtaAsync(PipelineDb db, Guid run) =>
        CreateCtaEventAsync(db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "Merge?" });

    [Fact]
    public async Task Runs_come_back_newest_first_with_every_column_and_where_they_stand()
    {
        var (db, _) = await FreshAsync();
        Clock.Set(Start);
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        await CreateSandboxRecordAsync(db, new NewSandboxRecord { Id = sandbox });
        var full = await CreateFeatureRunAsync(db, new NewFeatureRun
        {
            Prompt = "Export orders as CSV\0 with a NUL", SandboxId = sandbox, GithubRepoUrl = "https://github.com/acme/shop", GithubBranch = "feature/csv",
        });
        var waiting = await RunAtAsync(db, TimeSpan.FromMinutes(1));
        await OpenCtaAsync(db, waiting);
        await OpenCtaAsync(db, waiting);
        var completed = await RunAtAsync(db, TimeSpan.FromMinutes(2));
        Clock.Set(Start + TimeSpan.FromMinutes(3));
        await CompleteFeatureRunAsync(db, completed);
        var failed = await RunAtAsync(db, TimeSpan.FromMinutes(4));
        await OpenCtaAsync(db, failed);
        Clock.Set(Start + TimeSpan.FromMinutes(5));
        await FailFeatureRunAsync(db, failed);

        var page = await ListFeatureRunsAsync(db, new FeatureRunQuery());

        Assert.Null(page.NextCursor);
        Assert.Equal([failed, completed, waiting, full], page.Items.Select(r => r.Id));
        Assert.Equal(new FeatureRunSummary
        {
            Id = full, Prompt = "Export orders as CSV\0 with a NUL", SandboxId = sandbox, GithubRepoUrl = "https://github.com/acme/shop",
            GithubBranch = "feature/csv", CurrentPhase = FeaturePhase.Analysis, CreatedAt = Start, CompletedAt = null,
            Status = RunStatus.Running, OpenCtaCount = 0,
        }, page.Items[3]);
        Assert.Equal((RunStatus.WaitingForHuman, 2), (page.Items[2].Status, page.Items[2].OpenCtaCount));
        Assert.Equal((RunStatus.Completed, FeaturePhase.Completed, Start + TimeSpan.FromMinutes(3)),
            (page.Items[1].Status, page.Items[1].CurrentPhase, page.Items[1].CompletedAt));
        // Failing a run times its open CTAs out: none is left open.
        Assert.Equal((RunStatus.Failed, 0, Start + TimeSpan.FromMinutes(5)), (page.Items[0].Status, page.Items[0].OpenCtaCount, page.Items[0].CompletedAt));
        Assert.All(page.Items, r => Assert.Equal(TimeSpan.Zero, r.CreatedAt.Offset));
    }

    [Fact]
    public async Task Each_listed_run_carries_the_token_totals_GetFeatureRun_gives_it()
    {
        var (db, _) = await FreshAsync();
        var (quiet, _) = await Seed.PhaseAsync(db);
        var (run, phase, invocation) = await Seed.InvocationAsync(db);
        // A completed invocation counts its own totals; a running one the sum of its steps so far.
        await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, Usage = new TokenUsage { InputTokens = 999, OutputTokens = 1 } });
        await CompleteAgentInvocationAsync(db, invocation, new AgentInvocationCompletion { Usage = new TokenUsage { InputTokens = 5_000_000_000, OutputTokens = 20, OutputReasoningTokens = 7 } });
        var sub = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = phase, ParentInvocationId = invocation, AgentType = AgentType.Explorer });
        await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = sub, StepNumber = 0, Usage = new TokenUsage { InputTokens = 100, OutputTokens = 3 } });
        await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = sub, StepNumber = 1, Usage = new TokenUsage { InputTokens = 200, TotalTokens = 9 } });
        var (other, _, otherInvocation) = await Seed.InvocationAsync(db);
        await CompleteAgentInvocationAsync(db, otherInvocation, new AgentInvocationCompletion { Usage = new TokenUsage { InputTokens = 1, InputCacheReadTokens = 4 } });

        foreach (var query in new[] { new FeatureRunQuery(), new FeatureRunQuery { PromptContains = "dark mode" }, new FeatureRunQuery { PageSize = 1 } })
        {
            foreach (var listed in await AllAsync(db, query with { IncludeTokens = true }))
            {
                Assert.Equal((await GetFeatureRunAsync(db, listed.Id)).Tokens, listed.Tokens);
            }
            Assert.All(await AllAsync(db, query), r => Assert.Null(r.Tokens)); // not asked for
        }
        var all = (await AllAsync(db, new FeatureRunQuery { IncludeTokens = true })).ToDictionary(r => r.Id);
        Assert.Equal(new TokenUsage { InputTokens = 5_000_000_300, OutputTokens = 23, TotalTokens = 9, OutputReasoningTokens = 7 }, all[run].Tokens);
        Assert.Equal(new TokenUsage(), all[quiet].Tokens);
        Assert.Equal(1, all[other].Tokens!.InputTokens);
    }

    [Fact]
    public async Task Phase_filter_keeps_the_runs_in_that_phase()
    {
        var (db, _) = await FreshAsync();
        var a = await RunAtAsync(db, TimeSpan.FromSeconds(1));
        var b = await RunAtAsync(db, TimeSpan.FromSeconds(2));
        var c = await RunAtAsync(db, TimeSpan.FromSeconds(3));
        await UpdateFeatureRunPhaseAsync(db, b, FeaturePhase.Judging);
        await UpdateFeatureRunPhaseAsync(db, c, FeaturePhase.Judging);
        await CompleteFeatureRunAsync(db, a);

        Assert.Equal([c, b], (await AllAsync(db, new FeatureRunQuery { Phase = FeaturePhase.Judging })).Select(r => r.Id));
        Assert.Equal([a], (await AllAsync(db, new FeatureRunQuery { Phase = FeaturePhase.Completed })).Select(r => r.Id));
        Assert.Empty(await AllAsync(db, new FeatureRunQuery { Phase = FeaturePhase.Pr }));
    }

    [Fact]
    public async Task Status_filter_tells_running_waiting_completed_and_failed_apart()
    {
        var (db, _) = await FreshAsync();
        var running = await RunAtAsync(db, TimeSpan.FromSeconds(1));
        var waiting = await RunAtAsync(db, TimeSpan.FromSeconds(2));
        await OpenCtaAsync(db, waiting);
        var answered = await RunAtAsync(db, TimeSpan.FromSeconds(3));
        await CompleteCtaEventAsync(db, await OpenCtaAsync(db, answered), CtaResponse.Approve());
        var timedOut = await RunAtAsync(db, TimeSpan.FromSeconds(4));
        await TimeoutCtaEventAsync(db, await OpenCtaAsync(db, timedOut));
        var completed = await RunAtAsync(db, TimeSpan.FromSeconds(5));
        await CompleteFeatureRunAsync(db, completed);
        var failed = await RunAtAsync(db, TimeSpan.FromSeconds(6));
        await OpenCtaAsync(db, failed);
        await FailFeatureRunAsync(db, failed);

        async Task<Guid[]> With(RunStatus status) =>
            [.. (await AllAsync(db, new FeatureRunQuery { Status = status })).Select(r => r.Id)];

        Assert.Equal([timedOut, answered, running], await With(RunStatus.Running));
        Assert.Equal([waiting], await With(RunStatus.WaitingForHuman));
        Assert.Equal([completed], await With(RunStatus.Completed));
        Assert.Equal([failed], await With(RunStatus.Failed));
        // With a phase too: both must hold.
        Assert.Equal([waiting], (await AllAsync(db, new FeatureRunQuery { Status = RunStatus.WaitingForHuman, Phase = FeaturePhase.Analysis })).Select(r => r.Id));
        Assert.Empty(await AllAsync(db, new FeatureRunQuery { Status = RunStatus.Completed, Phase = FeaturePhase.Analysis }));
    }

    [Fact]
    public async Task Created_from_is_inclusive_and_created_to_exclusive_at_any_offset()
    {
        var (db, _) = await FreshAsync();
        var runs = new List<Guid>();
        for (var minute = 0; minute < 5; minute++)
        {
            runs.Add(await RunAtAsync(db, TimeSpan.FromMinutes(minute)));
        }
        var plusTwo = TimeSpan.FromHours(2);

        var between = await AllAsync(db, new FeatureRunQuery
        {
            PageSize = 1, // each later page takes its upper bound from the cursor
            CreatedFrom = (Start + TimeSpan.FromMinutes(1)).ToOffset(plusTwo), CreatedTo = (Start + TimeSpan.FromMinutes(3)).ToOffset(-plusTwo),
        });

        Assert.Equal([runs[2], runs[1]], between.Select(r => r.Id));
        Assert.Equal([runs[4], runs[3]], (await AllAsync(db, new FeatureRunQuery { CreatedFrom = Start + TimeSpan.FromMinutes(3) })).Select(r => r.Id));
        Assert.Equal([runs[1], runs[0]], (await AllAsync(db, new FeatureRunQuery { CreatedTo = Start + TimeSpan.FromMinutes(2), PageSize = 1 })).Select(r => r.Id));
        Assert.Empty(await AllAsync(db, new FeatureRunQuery { CreatedFrom = Start.AddMinutes(2), CreatedTo = Start.AddMinutes(2) }));
    }

    [Fact]
    public async Task Repository_filter_matches_the_url_exactly()
    {
        var (db, _) = await FreshAsync();
        var shop = await RunAtAsync(db, TimeSpan.FromSeconds(1), repo: "https://github.com/acme/shop");
        await RunAtAsync(db, TimeSpan.FromSeconds(2), repo: "https://github.com/acme/shop2");
        await RunAtAsync(db, TimeSpan.FromSeconds(3), repo: "https://github.com/ACME/shop");
        await RunAtAsync(db, TimeSpan.FromSeconds(4));
        var shopAgain = await RunAtAsync(db, TimeSpan.FromSeconds(5), repo: "https://github.com/acme/shop");

        Assert.Equal([shopAgain, shop], (await AllAsync(db, new FeatureRunQuery { Repository = "https://github.com/acme/shop" })).Select(r => r.Id));
        Assert.Empty(await AllAsync(db, new FeatureRunQuery { Repository = "https://github.com/acme/%" }));
    }

    [Fact]
    public async Task Prompt_search_folds_ascii_case_only_and_takes_wildcards_as_text()
    {
        var (db, _) = await FreshAsync();
        var dark = await RunAtAsync(db, TimeSpan.FromSeconds(1), "Add DARK mode to the settings page");
        var percent = await RunAtAsync(db, TimeSpan.FromSeconds(2), "Show 100% of the_rows, path C:\\temp");
        var umlaut = await RunAtAsync(db, TimeSpan.FromSeconds(3), "Übersetzung für die Kasse");
        var nul = await RunAtAsync(db, TimeSpan.FromSeconds(4), "before\0after \ud800 lone");
        await RunAtAsync(db, TimeSpan.FromSeconds(5), "Something else entirely: 1000 rows");

        async Task<Guid[]> Search(string text) =>
            [.. (await AllAsync(db, new FeatureRunQuery { PromptContains = text })).Select(r => r.Id)];

        Assert.Equal([dark], await Search("dark MODE"));
        Assert.Equal([percent], await Search("100%"));
        Assert.Equal([percent], await Search("the_rows"));
        Assert.Equal([percent], await Search("C:\\temp"));
        Assert.Empty(await Search("1_0")); // '_' is not "any character"
        Assert.Equal([umlaut], await Search("Über"));
        Assert.Empty(await Search("über")); // non-ASCII letters are not folded, on either provider
        Assert.Equal([umlaut], await Search("KASSE"));
        Assert.Equal([nul], await Search("e\0a"));
        Assert.Equal([nul], await Search("\ud800 LONE"));
    }

    /// <summary>Prompts for the search tests: case, non-ASCII letters, the store's escapes (NUL, U+FFFF, lone surrogates), LIKE's wildcards and escape, quotes.</summary>
    private static readonly string[] SearchCorpus =
    [
        "Add DARK mode to the settings page", "add dark MODE", "Übersetzung für die Kasse", "ÜBERSETZUNG", "übersetzung",
        "Show 100% of the_rows, path C:\\temp", "1000 rows and 10_0", "before\0after \ud800 lone", "a\0b", "x\uffffy and \uffff0",
        "He said \"quote\" here", "İstanbul ıi ǅ Ǆ ǆ ß SS", "日本語のテキスト 検索", "emoji 😀 pair", "%_\\ only specials", "ab", "a",
        "KELVIN \u212A k", "request 12: fix it", "request 123: fix it too",
    ];

    /// <summary>
    /// The search's rule, computed here: the stored forms (DbText) contain the text's stored form with
    /// ASCII letters folded and nothing else, the rule of SQLite's LIKE (and of the plain reading of the
    /// runs the store did before the index). A text that contains U+0000 is stored as U+FFFF '0', so
    /// "0b" finds a prompt "a\0b": this is that rule, kept as it was.
    /// </summary>
    internal static bool PlainRule(string prompt, string text) => PlainMatch(prompt, text);

    private static bool PlainMatch(string prompt, string text)
    {
        static string Fold(string v) => string.Create(v.Length, v, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++)
            {
                span[i] = v[i] is >= 'A' and <= 'Z' ? (char)(v[i] + 32) : v[i];
            }
        });
        return Fold(DbText.Encode(prompt)).Contains(Fold(DbText.Encode(text)), StringComparison.Ordinal);
    }

    private static readonly string[] SearchTerms =
    [
        "dark", "DARK MODE", "über", "Über", "ÜBER", "übersetzung", "kasse", "100%", "the_rows", "C:\\temp", "1_0", "10_0", "%", "_", "\\",
        "%_\\", "e\0a", "\0", "0b", "\ud800 LONE", "\ud800", "\uffff", "\uffff0", "y and", "\"quote\"", "\"", "İst", "ıi", "ǅ", "ǆ", "ß",
        "ss", "日本語", "検索", "😀", "😀 p", "ab", "a", "A", "k", "kelvin \u212A", "\u212A", "request 12", "request 12:", "12", "fix it", "zzz",
    ];

    /// <summary>
    /// PostgreSQL: a handle whose planner may neither read a table whole nor walk an index in order,
    /// so the search goes through the trigram index (a bitmap scan) even on a database this small,
    /// where the planner rightly prefers reading the runs newest first.
    /// </summary>
    private static string IndexOnly(string target, PipelineProvider provider) =>
        provider == PipelineProvider.PostgreSql ? target + ";Options=-c enable_seqscan=off -c enable_indexscan=off" : target;

    private async Task AssertSearchesMatchThePlainRuleAsync(PipelineDb db, Dictionary<Guid, string> prompts)
    {
        foreach (var text in SearchTerms)
        {
            var expected = prompts.Where(p => PlainMatch(p.Value, text)).Select(p => p.Key).ToHashSet();
            var found = await AllAsync(db, new FeatureRunQuery { PromptContains = text, PageSize = 3 });
            Assert.True(expected.SetEquals(found.Select(r => r.Id)) && found.Count == expected.Count,
                $"search \"{text}\": expected {expected.Count} runs, found {found.Count}: [{string.Join(" | ", found.Select(r => r.Prompt))}]");
        }
    }

    [Fact]
    public async Task Prompt_search_through_the_index_finds_exactly_what_the_plain_rule_finds()
    {
        var (setup, target) = await FreshAsync();
        var prompts = new Dictionary<Guid, string>();
        for (var i = 0; i < SearchCorpus.Length; i++)
        {
            prompts[await RunAtAsync(setup, TimeSpan.FromSeconds(i), SearchCorpus[i])] = SearchCorpus[i];
        }
        await using var db = PipelineDb.Open(IndexOnly(target, Fixture.Provider), Clock);

        Assert.True(UsesPromptIndex(await SearchPlanAsync(db, "dark")), string.Join("\n", await SearchPlanAsync(db, "dark")));
        await AssertSearchesMatchThePlainRuleAsync(db, prompts);
    }

    [Fact]
    public async Task The_prompt_index_follows_deleted_and_changed_prompts()
    {
        var (setup, target) = await FreshAsync();
        var keep = await RunAtAsync(setup, TimeSpan.FromSeconds(1), "Add dark mode");
        var gone = await RunAtAsync(setup, TimeSpan.FromSeconds(2), "Add dark mode too");
        var changed = await RunAtAsync(setup, TimeSpan.FromSeconds(3), "Add dark mode as well");
        var t = Fixture.Provider == PipelineProvider.PostgreSql ? "agent.feature_runs" : "feature_runs";
        // Raw SQL, as a user's clean-up would be: the store itself neither deletes runs nor changes prompts.
        await Fixture.QueryAsyncOn(target, $"DELETE FROM {t} WHERE id = '{gone}'; UPDATE {t} SET prompt = 'Light theme' WHERE id = '{changed}'");
        await using var db = PipelineDb.Open(IndexOnly(target, Fixture.Provider), Clock);

        Assert.Equal([keep], (await AllAsync(db, new FeatureRunQuery { PromptContains = "dark mode" })).Select(r => r.Id));
        Assert.Equal([changed], (await AllAsync(db, new FeatureRunQuery { PromptContains = "light" })).Select(r => r.Id));
        if (Fixture.Provider == PipelineProvider.Sqlite)
        {
            Assert.Equal(2L, (await Fixture.QueryAsyncOn(target, $"SELECT COUNT(*) FROM {FeatureRunListing.SearchRows}"))[0][0]);
            Assert.Equal(0L, (await Fixture.QueryAsyncOn(target, $"SELECT COUNT(*) FROM {FeatureRunListing.SearchTable}('\"too\"')"))[0][0]);
            Assert.Equal(1L, (await Fixture.QueryAsyncOn(target, $"SELECT COUNT(*) FROM {FeatureRunListing.SearchTable}('\"light\"')"))[0][0]);
        }
    }

    /// <summary>The migration before the one that indexes prompts, per provider.</summary>
    protected abstract string MigrationBeforePromptIndex { get; }

    [Fact]
    public async Task A_database_migrated_from_the_version_before_the_index_searches_the_same()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using (var context = Fixture.Provider == PipelineProvider.PostgreSql
            ? (Microsoft.EntityFrameworkCore.DbContext)Persistence.Schema.ContextFactory.CreatePostgreSql(Npgsql.NpgsqlDataSource.Create(target))
            : Persistence.Schema.ContextFactory.CreateSqlite($"Data Source={target}"))
        {
            await Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(context)
                .MigrateAsync(MigrationBeforePromptIndex);
        }
        var prompts = new Dictionary<Guid, string>();
        await using (var old = PipelineDb.Open(target, Clock))
        {
            for (var i = 0; i < SearchCorpus.Length; i++)
            {
                prompts[await RunAtAsync(old, TimeSpan.FromSeconds(i), SearchCorpus[i])] = SearchCorpus[i];
            }
            await old.MigrateAsync();
        }
        await using var db = PipelineDb.Open(IndexOnly(target, Fixture.Provider), Clock);

        await AssertSearchesMatchThePlainRuleAsync(db, prompts);
        var after = await RunAtAsync(db, TimeSpan.FromMinutes(1), "Add dark mode after the migration");
        Assert.Equal(
            [after, .. prompts.Where(p => PlainMatch(p.Value, "dark mode")).OrderByDescending(p => SearchCorpus.ToList().IndexOf(p.Value)).Select(p => p.Key)],
            (await AllAsync(db, new FeatureRunQuery { PromptContains = "dark mode" })).Select(r => r.Id));
        var plan = await SearchPlanAsync(db, "dark mode");
        Assert.True(UsesPromptIndex(plan), string.Join("\n", plan));
    }

    private static async Task<string[]> SearchPlanAsync(PipelineDb db, string text)
    {
        var listing = FeatureRunListing.For(new FeatureRunQuery { PromptContains = text, PageSize = 20 }, db.Dialect.Kind);
        return await QueryPlans.ExplainAsync(db, listing.Sql, listing.Args);
    }

    /// <summary>SQLite: the FTS5 table is read first (by its index, MATCH) and the runs by their key; PostgreSQL: the trigram index.</summary>
    private static bool UsesPromptIndex(string[] plan) =>
        plan.Any(l => l.Contains("IX_feature_runs_prompt_trgm", StringComparison.Ordinal))
        || (plan.Any(l => l.Contains("SCAN f VIRTUAL TABLE INDEX 0:M", StringComparison.Ordinal))
            && plan.Any(l => l.Contains("SEARCH r USING INDEX", StringComparison.Ordinal))
            && !plan.Any(l => l.Contains("SCAN r", StringComparison.Ordinal)));

    [Fact]
    public async Task A_search_of_three_characters_or_more_goes_through_the_index_and_a_shorter_one_reads_the_runs_newest_first()
    {
        var (setup, target) = await FreshAsync();
        await RunAtAsync(setup, TimeSpan.Zero, "Add dark mode");
        await using var db = PipelineDb.Open(IndexOnly(target, Fixture.Provider), Clock);

        foreach (var text in new[] { "dar", "dark mode", "Übe", "😀xy" })
        {
            var plan = await SearchPlanAsync(db, text);
            Assert.True(UsesPromptIndex(plan), $"{text}:\n{string.Join("\n", plan)}");
            Assert.True(QueryPlans.FullReads(plan, sorts: false).Length == 0, $"{text}:\n{string.Join("\n", plan)}");
        }
        foreach (var text in new[] { "da", "é", "😀", "😀x" })
        {
            Assert.False(FeatureRunListing.Indexable(text), text);
        }
        Assert.True(FeatureRunListing.Indexable("\0a")); // stored as three characters: U+FFFF '0' 'a'
    }

    [Fact]
    public async Task Pages_visit_every_run_once_newest_first_and_the_last_full_page_has_no_cursor()
    {
        var (db, _) = await FreshAsync();
        var runs = new List<Guid>();
        for (var i = 0; i < 21; i++)
        {
            runs.Add(await RunAtAsync(db, TimeSpan.FromSeconds(i)));
        }
        runs.Reverse();

        var pages = new List<FeatureRunPage>();
        var query = new FeatureRunQuery { PageSize = 7 };
        do
        {
            pages.Add(await ListFeatureRunsAsync(db, query));
            query = query with { Cursor = pages[^1].NextCursor };
        }
        while (query.Cursor is not null);

        Assert.Equal([7, 7, 7], pages.Select(p => p.Items.Count));
        Assert.Equal(runs, pages.SelectMany(p => p.Items).Select(r => r.Id));
        // A cursor continues with another page size.
        var second = await ListFeatureRunsAsync(db, new FeatureRunQuery { PageSize = 100, Cursor = pages[0].NextCursor });
        Assert.Equal(runs.Skip(7), second.Items.Select(r => r.Id));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task Runs_created_in_the_same_microsecond_are_paged_by_id_without_loss_or_repeat()
    {
        var (db, _) = await FreshAsync();
        Clock.Set(Start);
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await CreateFeatureRunAsync(db, new NewFeatureRun { Id = Guid.NewGuid(), Prompt = "tie " + i, GithubRepoUrl = "r" }));
        }
        await RunAtAsync(db, TimeSpan.FromSeconds(1)); // one later run, of another repository

        // Ids sort like their text (lower-case, hyphenated) on both providers: uuid order on PostgreSQL is byte order.
        var expected = ids.OrderByDescending(g => g.ToString("D"), StringComparer.Ordinal).ToList();
        Assert.Equal(expected, (await AllAsync(db, new FeatureRunQuery { PageSize = 4 })).Skip(1).Select(r => r.Id));
        Assert.Equal(expected, (await AllAsync(db, new FeatureRunQuery { PageSize = 3, Repository = "r", Phase = FeaturePhase.Analysis })).Select(r => r.Id));
    }

    [Fact]
    public async Task A_walk_of_the_pages_sees_every_run_exactly_once_while_other_writers_insert_runs()
    {
        var (db, target) = await FreshAsync();
        var before = new List<Guid>();
        for (var i = 0; i < 60; i++)
        {
            before.Add(await RunAtAsync(db, TimeSpan.FromSeconds(i)));
        }
        // The writers' clock is past every run above, as time moves on for a real orchestrator.
        var writersClock = new ManualClock(Start + TimeSpan.FromHours(1));
        await using var writers = PipelineDb.Open(target, writersClock);
        var added = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        using var stop = new CancellationTokenSource();
        async Task WriteAsync(int n)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                writersClock.Advance(TimeSpan.FromMilliseconds(1));
                added.Add(await CreateFeatureRunAsync(writers, new NewFeatureRun { Prompt = $"writer {n} run {i}" }));
            }
        }
        var seen = new List<Guid>();
        var query = new FeatureRunQuery { PageSize = 5 };
        Task[]? background = null;
        for (var pages = 0; ; pages++)
        {
            var page = await ListFeatureRunsAsync(db, query);
            seen.AddRange(page.Items.Select(r => r.Id));
            if (page.NextCursor is null)
            {
                break;
            }
            // The writers start once the first page is read, so every run they add is newer than it.
            background ??= [Task.Run(() => WriteAsync(1)), Task.Run(() => WriteAsync(2))];
            // At least one insert between every two pages, whatever the scheduler does with the writers.
            writersClock.Advance(TimeSpan.FromMilliseconds(1));
            added.Add(await CreateFeatureRunAsync(writers, new NewFeatureRun { Prompt = $"between pages {pages}" }));
            query = query with { Cursor = page.NextCursor };
        }
        await stop.CancelAsync();
        await Task.WhenAll(background!);

        // Exactly the runs there were when the walk began, each once, in order: the new ones sort
        // before the first page's cursor, so no later page holds one.
        Assert.Equal(Enumerable.Reverse(before), seen);
        var head = await ListFeatureRunsAsync(db, new FeatureRunQuery { PageSize = 1000 });
        Assert.Equal(before.Count + added.Count, head.Items.Count);
        Assert.True(added.Count >= 11, "one insert between each two of the 12 pages, and whatever the background writers added");
        Assert.All(head.Items.Take(added.Count), r => Assert.Contains(r.Id, added));
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "phase", "query.Phase" }, { "status", "query.Status" }, { "from default", "query.CreatedFrom" }, { "to default", "query.CreatedTo" },
        { "from after to", "query.CreatedFrom" }, { "repository too long", "query.Repository" }, { "empty search", "query.PromptContains" },
        { "search too long", "query.PromptContains" }, { "page size 0", "query.PageSize" }, { "page size 1001", "query.PageSize" },
        { "cursor not base64", "query.Cursor" }, { "cursor too short", "query.Cursor" },
    };

    private static FeatureRunQuery Bad(string name) => name switch
    {
        "phase" => new() { Phase = (FeaturePhase)99 },
        "status" => new() { Status = (RunStatus)99 },
        "from default" => new() { CreatedFrom = default(DateTimeOffset) },
        "to default" => new() { CreatedTo = default(DateTimeOffset) },
        "from after to" => new() { CreatedFrom = Start.AddSeconds(1), CreatedTo = Start },
        "repository too long" => new() { Repository = new string('r', Internal.Check.MaxKeyChars + 1) },
        "empty search" => new() { PromptContains = "" },
        "search too long" => new() { PromptContains = new string('x', FeatureRunQuery.MaxPromptContainsChars + 1) },
        "page size 0" => new() { PageSize = 0 },
        "page size 1001" => new() { PageSize = FeatureRunQuery.MaxPageSize + 1 },
        "cursor not base64" => new() { Cursor = "not a cursor!" },
        "cursor too short" => new() { Cursor = "AQID" },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_field_throws_naming_it_before_any_read(string bad, string field)
    {
        // An unmigrated database: any read would throw SchemaMissingException instead.
        await using var unmigrated = PipelineDb.Open(await Fixture.CreateDatabaseAsync(), Clock);
        await Assert.ThrowsAsync<SchemaMissingException>(() => ListFeatureRunsAsync(unmigrated, new FeatureRunQuery()));

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => ListFeatureRunsAsync(unmigrated, Bad(bad)));

        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cursor_of_another_query_or_an_altered_one_throws_naming_query_Cursor()
    {
        var (db, target) = await FreshAsync();
        for (var i = 0; i < 3; i++)
        {
            await RunAtAsync(db, TimeSpan.FromSeconds(i), repo: "r");
        }
        var cursor = (await ListFeatureRunsAsync(db, new FeatureRunQuery { PageSize = 1, Repository = "r" })).NextCursor!;
        var altered = (cursor[5] == 'A' ? "B" : "A") is var c ? cursor[..5] + c + cursor[6..] : cursor;
        await using var unmigrated = PipelineDb.Open(await Fixture.CreateDatabaseAsync(), Clock);

        foreach (var query in new[]
        {
            new FeatureRunQuery { Cursor = cursor }, // the filters differ
            new FeatureRunQuery { Cursor = cursor, Repository = "R" },
            new FeatureRunQuery { Cursor = altered, Repository = "r" },
        })
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => ListFeatureRunsAsync(unmigrated, query));
            Assert.Equal("query.Cursor", e.ParamName);
        }
        // The right query continues, whatever its page size.
        Assert.Equal(2, (await ListFeatureRunsAsync(db, new FeatureRunQuery { Cursor = cursor, Repository = "r", PageSize = 10 })).Items.Count);
        _ = target;
    }

    [Fact]
    public async Task A_repository_url_longer_than_an_id_may_be_is_refused_before_anything_is_written()
    {
        // github_repo_url is indexed, and an index entry is bounded on PostgreSQL: the same limit as an id, on both providers.
        var before = await Fixture.TotalRowsAsync();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateFeatureRunAsync(Db,
            new NewFeatureRun { Prompt = "p", GithubRepoUrl = "https://github.com/" + new string('a', Internal.Check.MaxKeyChars) }));
        Assert.Equal("data.GithubRepoUrl", e.ParamName);
        Assert.Equal(before, await Fixture.TotalRowsAsync());
    }

    public static TheoryData<string> PlannedQueries => [.. Queries.Keys];

    private static readonly Dictionary<string, FeatureRunQuery> Queries = new()
    {
        ["all"] = new(),
        ["phase"] = new() { Phase = FeaturePhase.Implementation },
        ["running"] = new() { Status = RunStatus.Running },
        ["waiting"] = new() { Status = RunStatus.WaitingForHuman },
        ["completed"] = new() { Status = RunStatus.Completed },
        ["failed"] = new() { Status = RunStatus.Failed },
        ["from"] = new() { CreatedFrom = Start },
        ["to"] = new() { CreatedTo = Start },
        ["repository"] = new() { Repository = "https://github.com/acme/shop" },
        ["search"] = new() { PromptContains = "dark" },
        ["phase and repository"] = new() { Phase = FeaturePhase.Pr, Repository = "https://github.com/acme/shop" },
    };

    [Theory]
    [MemberData(nameof(PlannedQueries))]
    public async Task Every_filter_and_its_next_page_are_served_by_an_index_not_a_full_read(string name)
    {
        var (db, _) = await FreshAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await RunAtAsync(db, TimeSpan.FromSeconds(i), "Add dark mode", "https://github.com/acme/shop"));
        }
        await UpdateFeatureRunPhaseAsync(db, ids[0], FeaturePhase.Implementation);
        await OpenCtaAsync(db, ids[1]);
        await CompleteFeatureRunAsync(db, ids[2]);
        var query = Queries[name] with { PageSize = 1 };
        var first = await ListFeatureRunsAsync(db, query);
        var next = query with { Cursor = first.NextCursor ?? Internal.KeysetCursor.Encode(Start, Guid.NewGuid(), FeatureRunListing.For(query, db.Dialect.Kind).Filters) };

        foreach (var q in new[] { query, next })
        {
            var listing = FeatureRunListing.For(q, db.Dialect.Kind);
            var label = $"{name}{(q.Cursor is null ? "" : ", next page")}";
            var plan = await QueryPlans.ExplainAsync(db, listing.PageSql, listing.Args, indexesOnly: true);
            // A search through the index sorts its candidates, which the index bounds (FeatureRunListing.IndexedCandidates).
            Assert.True(QueryPlans.FullReads(plan, sorts: q.PromptContains is null).Length == 0, $"{label}:\n{string.Join("\n", plan)}");
            // With the token totals: the page's runs' invocations by run_id and running ones' steps by invocation_id, no table read whole.
            var withTokens = FeatureRunListing.For(q with { IncludeTokens = true }, db.Dialect.Kind);
            var whole = await QueryPlans.ExplainAsync(db, withTokens.Sql, withTokens.Args, indexesOnly: true);
            Assert.True(QueryPlans.FullReads(whole, sorts: false).Length == 0, $"{label}, with tokens:\n{string.Join("\n", whole)}");
        }
    }
}

public sealed class SqliteFeatureRunListTests(SqliteFixture f) : FeatureRunListTests<SqliteFixture>(f)
{
    protected override string MigrationBeforePromptIndex => "20261207175913_TreeIndexes";
}

public sealed class PostgreSqlFeatureRunListTests(PostgreSqlFixture f) : FeatureRunListTests<PostgreSqlFixture>(f)
{
    protected override string MigrationBeforePromptIndex => "20261207180145_TreeIndexes";

    /// <summary>
    /// A listing with values runs in a transaction of its own (its plan choice, SET LOCAL): when its
    /// statement fails, the pooled connection (the only one) is not left in the failed transaction:
    /// the next call on it lists as before (in an aborted transaction it would fail), and the setting
    /// is gone.
    /// </summary>
    [Fact]
    public async Task A_listing_that_fails_leaves_its_connection_out_of_a_transaction_and_the_next_call_lists()
    {
        var target = await Fixture.CreateDatabaseAsync();
        var oneConnection = new Npgsql.NpgsqlConnectionStringBuilder(target) { MaxPoolSize = 1 }.ConnectionString;
        await using var db = PipelineDb.Open(oneConnection, Clock);
        await db.MigrateAsync();
        var id = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Add dark mode" });
        var query = new FeatureRunQuery { Phase = FeaturePhase.Analysis };
        Assert.Equal([id], (await ListFeatureRunsAsync(db, query)).Items.Select(r => r.Id));

        await Fixture.QueryAsyncOn(target, "ALTER TABLE agent.cta_events RENAME TO cta_events_away");
        await Assert.ThrowsAnyAsync<PipelinePersistenceException>(() => ListFeatureRunsAsync(db, query));
        await Fixture.QueryAsyncOn(target, "ALTER TABLE agent.cta_events_away RENAME TO cta_events");

        Assert.Equal([id], (await ListFeatureRunsAsync(db, query)).Items.Select(r => r.Id));
        var mode = await db.RunAsync(write: false, (session, ct) => session.QueryRowAsync(new Sql(
            "SELECT current_setting('plan_cache_mode')", [], [new("mode", Col.Text)]), [], ct), CancellationToken.None);
        Assert.Equal("auto", mode![0]);
    }

    /// <summary>
    /// The plan cache at 20,000 runs: in its auto mode PostgreSQL planned the listings with values
    /// anew on every call there (their generic plan, priced with <c>LIMIT $n</c> as 10% of the matching
    /// runs, looked dearer than a plan for the values), where at 1,000 runs it kept the generic plan.
    /// Each listing with values but no search runs with its generic plan from the first call, and that
    /// plan walks an index; a search is planned for its text every call. The calls share one connection,
    /// whose prepared statements pg_prepared_statements shows.
    /// </summary>
    [Fact]
    public async Task At_20000_runs_a_listing_with_values_runs_its_generic_plan_every_call_and_a_search_a_plan_for_its_text()
    {
        var target = await Fixture.CreateDatabaseAsync();
        var oneConnection = new Npgsql.NpgsqlConnectionStringBuilder(target) { MaxPoolSize = 1 }.ConnectionString;
        await using var db = PipelineDb.Open(oneConnection, Clock);
        await db.MigrateAsync();
        // 20,000 runs 90 s apart, newest last: 90% completed, 5% failed, 5% in a working phase, in four repositories.
        await Fixture.QueryAsyncOn(target,
            "INSERT INTO agent.feature_runs (id, prompt, github_repo_url, current_phase, created_at) "
            + "SELECT gen_random_uuid(), 'request ' || i || ': add dark mode', 'https://github.com/acme/repo' || (i % 4), "
            + "CASE WHEN i % 20 = 0 THEN 'failed' WHEN i % 20 = 1 THEN 'implementation' ELSE 'completed' END, "
            + "timestamptz '2026-01-01 00:00:00+00' + i * interval '90 seconds' FROM generate_series(1, 20000) i; ANALYZE agent.feature_runs");
        var day = new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);
        FeatureRunQuery[] listings =
        [
            new() { PageSize = 20, Phase = FeaturePhase.Failed },
            new() { PageSize = 20, Repository = "https://github.com/acme/repo3" },
            new() { PageSize = 20, CreatedFrom = day, CreatedTo = day.AddDays(1) },
            new() { PageSize = 20, Status = RunStatus.Running },
            new() { PageSize = 20 },
        ];
        FeatureRunQuery[] searches = [new() { PageSize = 20, PromptContains = "request 10000:" }, new() { PageSize = 20, PromptContains = "dark mode" }];
        foreach (var query in listings.Concat(searches))
        {
            var first = await ListFeatureRunsAsync(db, query);
            Assert.NotEmpty(first.Items);
            for (var i = 0; i < 8; i++)
            {
                Assert.Equal(first.Items.Select(r => r.Id), (await ListFeatureRunsAsync(db, query)).Items.Select(r => r.Id));
                if (first.NextCursor is { } cursor)
                {
                    Assert.NotEmpty((await ListFeatureRunsAsync(db, query with { Cursor = cursor })).Items);
                }
            }
        }

        var prepared = await db.RunAsync(write: false, (session, ct) => session.QueryRowsAsync(new Sql(
            "SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'SELECT r.id, r.prompt,%FROM agent.feature_runs r%'",
            [], [new("name", Col.Text), new("statement", Col.Text), new("generic_plans", Col.Long), new("custom_plans", Col.Long)]), [], ct),
            CancellationToken.None);
        var withValues = prepared.Where(r => ((string)r[1]!).Contains("$1", StringComparison.Ordinal)).ToList();
        var searched = withValues.Where(r => ((string)r[1]!).Contains(" LIKE ", StringComparison.Ordinal)).ToList();
        var listed = withValues.Except(searched).ToList();
        // Phase, repository, dates, and the next page of each listing (a cursor): at least one statement each.
        foreach (var shape in new[] { "r.current_phase = $1", "r.github_repo_url = $1", "r.created_at >= $1", "(r.created_at, r.id) < ($" })
        {
            Assert.Contains(listed, r => ((string)r[1]!).Contains(shape, StringComparison.Ordinal));
        }
        Assert.NotEmpty(searched);
        foreach (var r in listed)
        {
            Assert.True((long)r[3]! == 0 && (long)r[2]! > 0, $"{r[2]} generic and {r[3]} custom plans: {r[1]}");
        }
        foreach (var r in searched)
        {
            Assert.True((long)r[2]! == 0 && (long)r[3]! > 0, $"{r[2]} generic and {r[3]} custom plans: {r[1]}");
        }
        // The generic plan of each (whatever values: NULLs) walks an index, neither reading the runs whole nor sorting them.
        foreach (var r in listed)
        {
            var values = string.Join(", ", Enumerable.Repeat("NULL", ((string)r[1]!).Split('$').Length - 1));
            var plan = await db.RunAsync(write: false, async (session, ct) =>
            {
                await session.ExecuteAsync(new Sql("SET plan_cache_mode = force_generic_plan", []), [], ct);
                try
                {
                    var lines = await session.QueryRowsAsync(new Sql($"EXPLAIN EXECUTE {r[0]}({values})", [], [new("plan", Col.Text)]), [], ct);
                    return lines.Select(l => (string)l[0]!).ToArray();
                }
                finally
                {
                    await session.ExecuteAsync(new Sql("RESET plan_cache_mode", []), [], ct);
                }
            }, CancellationToken.None);
            Assert.True(QueryPlans.FullReads(plan).Length == 0, $"{r[1]}:\n{string.Join("\n", plan)}");
        }
    }

    /// <summary>
    /// A server without pg_trgm (or a user who may not create it): the migration leaves the index
    /// out, and the search reads the runs, with the same results.
    /// </summary>
    [Fact]
    public async Task Without_the_trigram_index_the_search_reads_the_runs_and_finds_the_same()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target, Clock);
        await db.MigrateAsync();
        await Fixture.QueryAsyncOn(target, "DROP INDEX agent.\"IX_feature_runs_prompt_trgm\"; DROP EXTENSION pg_trgm");
        var prompts = new Dictionary<Guid, string>();
        foreach (var prompt in new[] { "Add DARK mode", "Übersetzung", "100% of the_rows", "a\0b" })
        {
            prompts[await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = prompt })] = prompt;
        }

        foreach (var text in new[] { "dark", "über", "Über", "the_rows", "%", "0b", "zzz" })
        {
            var found = new List<Guid>();
            for (var q = new FeatureRunQuery { PromptContains = text, PageSize = 1 }; ;)
            {
                var page = await ListFeatureRunsAsync(db, q);
                found.AddRange(page.Items.Select(r => r.Id));
                if (page.NextCursor is null)
                {
                    break;
                }
                q = q with { Cursor = page.NextCursor };
            }
            Assert.Equal(prompts.Where(p => PlainRule(p.Value, text)).Select(p => p.Key).Order(), found.Order());
        }
        var listing = FeatureRunListing.For(new FeatureRunQuery { PromptContains = "dark" }, db.Dialect.Kind);
        var plan = await QueryPlans.ExplainAsync(db, listing.Sql, listing.Args, indexesOnly: true);
        Assert.DoesNotContain(plan, l => l.Contains("trgm", StringComparison.Ordinal));
    }

    /// <summary>
    /// PostgreSQL only: its case rules follow the database's locale, and the shared test cluster's
    /// is C, where every lower() is ASCII-only anyway. A database whose LC_CTYPE folds Ü to ü shows
    /// that the search still folds ASCII letters only, as SQLite's LIKE does.
    /// </summary>
    [Fact]
    public async Task Prompt_search_folds_ascii_only_in_a_database_whose_locale_folds_more()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var admin = new Npgsql.NpgsqlConnection(PostgresCluster.Shared.AdminConnectionString))
        {
            await admin.OpenAsync();
            // The name is made here, never input.
            await using var create = new Npgsql.NpgsqlCommand(
                $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.utf8' LC_CTYPE 'C.utf8'", admin);
            await create.ExecuteNonQueryAsync();
        }
        var target = PostgresCluster.Shared.ConnectionStringFor(name);
        await using var db = PipelineDb.Open(target, Clock);
        await db.MigrateAsync();
        var umlaut = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Übersetzung für die KASSE" });
        var folds = await Fixture.QueryAsyncOn(target, "SELECT lower('Ü') = 'ü', 'Über' ILIKE 'über'");
        Assert.Equal([true, true], folds[0]); // the premise: this locale folds non-ASCII letters

        Assert.Empty((await ListFeatureRunsAsync(db, new FeatureRunQuery { PromptContains = "über" })).Items);
        Assert.Equal([umlaut], (await ListFeatureRunsAsync(db, new FeatureRunQuery { PromptContains = "Über" })).Items.Select(r => r.Id));
        Assert.Equal([umlaut], (await ListFeatureRunsAsync(db, new FeatureRunQuery { PromptContains = "kasse" })).Items.Select(r => r.Id));
    }
}
