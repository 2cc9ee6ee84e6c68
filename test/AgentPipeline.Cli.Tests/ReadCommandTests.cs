using System.Globalization;
using System.Text.Json;
using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// <c>demo</c> once, then every read command against what it stored, on each provider. The
/// expected values come from raw SQL (<see cref="DbFacts"/>), never from the CLI's own code.
/// </summary>
public abstract class ReadCommandTests<TStore>(DemoFixture<TStore> fixture) : IClassFixture<DemoFixture<TStore>>
    where TStore : StoreFixture, new()
{
    private DbFacts Db => fixture.Facts;

    [Fact]
    public void Demo_counts_its_runs_out_of_the_number_it_stores()
    {
        // Standard error is redirected, so one line per run: 1/N … N/N, N being every run stored
        // (the requested ones, a failing one when none failed, and the waiting one).
        var lines = fixture.Demo.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("simulated run ", StringComparison.Ordinal)).ToList();
        var count = Db.Runs.Count;
        Assert.Equal(
            Enumerable.Range(1, count).Select(i => $"simulated run {i}/{count}:"),
            lines.Select(l => l[..l.LastIndexOf(':')] + ":"));
    }

    [Theory]
    [InlineData("Run Prompt Phase Took Tokens CTAs", "runs")]
    [InlineData("CTA Run Kind Status Question", "cta", "list")]
    [InlineData("Model Agents Calls Tools Output Total Time", "stats")]
    public async Task At_60_columns_tables_drop_columns_instead_of_wrapping(string header, params string[] command)
    {
        var narrow = new Dictionary<string, string?> { ["COLUMNS"] = "60" };

        var result = await fixture.RunAsync(narrow, command);

        Assert.True(result.ExitCode == 0, result.ToString());
        // Every line fits, but the command to copy after cta list, which is never cut or wrapped.
        Assert.All(result.StdoutLines.Where(l => !l.StartsWith("  agentpipe ", StringComparison.Ordinal)),
            l => Assert.True(l.Length <= 60, $"{l.Length} columns: {l}"));
        Assert.Equal(header, CliResult.Flat(result.StdoutLines[0]));
        var rows = command[0] switch
        {
            "runs" => Db.Runs.Select(r => DbFacts.ShortId(r.Id)),
            "cta" => Db.Ctas.Select(c => DbFacts.ShortId(c.Id)),
            _ => Db.Invocations.Select(i => i.ModelId![..Math.Min(i.ModelId!.Length, 10)]).Distinct(),
        };
        // One line per row: each starts with its key, none continues on the next line.
        Assert.All(rows, key => Assert.Single(result.StdoutLines, l => l.StartsWith(key, StringComparison.Ordinal)));
    }

    [Fact]
    public void Demo_stores_completed_failed_and_waiting_runs_and_prints_the_runs_table_and_next_commands()
    {
        // The runs asked for, a failing one if none of them failed, and the one waiting for approval.
        Assert.InRange(Db.Runs.Count, DemoFixture<TStore>.Runs + 1, DemoFixture<TStore>.Runs + 2);
        Assert.Single(Db.Runs, r => r.Phase == "pr");
        Assert.Contains(Db.Runs, r => r.Phase == "completed");
        Assert.Contains(Db.Runs, r => r.Phase == "failed");
        var waiting = Db.Waiting;
        var open = Assert.Single(Db.Ctas, c => c.IsOpen);
        Assert.Equal((waiting.Id, "approval"), (open.RunId, open.Kind));
        Assert.Contains(Db.Ctas, c => c.TimedOut);
        // A sub-agent of a sub-agent: the tree is deeper than one level.
        Assert.Contains(Db.Invocations, i => i.ParentId is { } p && Db.Invocations.Single(x => x.Id == p).ParentId is not null);
        // Failed runs failed in judging or implementation, each on a timed-out question.
        foreach (var failed in Db.Runs.Where(r => r.Phase == "failed"))
        {
            Assert.Contains(Db.Phases.Single(p => p.RunId == failed.Id && p.Status == "failed").Phase, new[] { "judging", "implementation" });
            Assert.Contains(Db.Ctas, c => c.RunId == failed.Id && c.TimedOut);
        }

        var output = fixture.Demo;
        foreach (var run in Db.Runs)
        {
            Assert.Contains(Line(output, DbFacts.ShortId(run.Id)), l => l.Contains(run.Phase, StringComparison.Ordinal));
        }
        // --db named a file, so the suggested commands name it too, whole and on one line each.
        var db = fixture.Store is SqliteFixture ? $" --db {fixture.Store.Target}" : "";
        Assert.Contains($"  agentpipe show {DbFacts.ShortId(waiting.Id)}{db}", output.StdoutLines);
        Assert.Contains($"  agentpipe cta answer {DbFacts.ShortId(open.Id)} --approve --reason \"Looks good\"{db}", output.StdoutLines);
        Assert.Contains($"Stored {Db.Runs.Count} runs", output.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_seed_tells_the_same_story()
    {
        // A second demo with the seed of the first into a fresh database of the same provider.
        var store = new TStore();
        await store.InitializeAsync();
        try
        {
            using var folder = new TempFolder();
            var again = await AgentPipe.RunAsync(folder.Path, "demo", "--runs", "4", "--seed", "11", "--db", store.Target);
            Assert.True(again.ExitCode == 0, again.ToString());
            var facts = await DbFacts.ReadAsync(store);
            static IEnumerable<string> Story(DbFacts f) => f.Runs.OrderBy(r => r.CreatedAt).Select(r => $"{r.Prompt}|{r.Phase}")
                .Concat(f.Memories.Select(m => $"{m.Phase}|{m.Kind}|{m.Content}"));
            Assert.Equal(Story(Db), Story(facts));
            Assert.Equal(Db.Runs.Sum(r => Db.TotalTokens(r.Id)), facts.Runs.Sum(r => facts.TotalTokens(r.Id)));
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Runs_lists_every_run_newest_first_with_its_phase_and_open_ctas()
    {
        var result = await fixture.CachedAsync("runs");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdoutLines;
        Assert.StartsWith("Run ", lines[0], StringComparison.Ordinal);
        var expected = Db.Runs.OrderByDescending(r => r.CreatedAt).ToList();
        Assert.Equal(expected.Select(r => DbFacts.ShortId(r.Id)), lines.Skip(1).Select(l => l.Split(' ')[0]));
        foreach (var (run, line) in expected.Zip(lines.Skip(1)))
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(run.Phase, cells);
            Assert.Equal(Db.Ctas.Count(c => c.RunId == run.Id && c.IsOpen).ToString(CultureInfo.InvariantCulture), cells[^1]);
        }
    }

    [Fact]
    public async Task Runs_json_holds_each_runs_stored_facts()
    {
        var result = await fixture.CachedAsync("runs", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var runs = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(Db.Runs.Count, runs.Count);
        foreach (var json in runs)
        {
            var run = Db.Runs.Single(r => r.Id == json.GetProperty("id").GetGuid());
            Assert.Equal(DbFacts.ShortId(run.Id), json.GetProperty("shortId").GetString());
            Assert.Equal(run.Prompt, json.GetProperty("prompt").GetString());
            Assert.Equal(run.Phase, json.GetProperty("currentPhase").GetString());
            Assert.Equal(run.CreatedAt, Instant(json.GetProperty("createdAt")));
            Assert.Equal(run.CompletedAt, NullableInstant(json.GetProperty("completedAt")));
            Assert.Equal(Db.TotalTokens(run.Id), json.GetProperty("totalTokens").GetInt64());
            Assert.Equal(Db.Ctas.Count(c => c.RunId == run.Id && c.IsOpen), json.GetProperty("openCtas").GetInt32());
        }
    }

    [Fact]
    public async Task Runs_filters_by_phase_and_limits_the_rows()
    {
        var completed = await fixture.CachedAsync("runs", "--phase", "completed", "--json");
        var limited = await fixture.CachedAsync("runs", "--limit", "1");

        Assert.Equal(
            Db.Runs.Where(r => r.Phase == "completed").Select(r => r.Id).Order(),
            JsonDocument.Parse(completed.Stdout).RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).Order());
        Assert.True(limited.ExitCode == 0, limited.ToString());
        Assert.Equal(DbFacts.ShortId(Db.Runs.MaxBy(r => r.CreatedAt)!.Id), limited.StdoutLines[1].Split(' ')[0]);
        Assert.Equal($"Showing 1 of {Db.Runs.Count} runs; --limit shows more.", limited.StdoutLines[2]);
    }

    public static TheoryData<string> RunFilters => ["running", "waiting", "completed", "failed", "since", "since-date", "repo", "search"];

    [Theory]
    [MemberData(nameof(RunFilters))]
    public async Task Runs_filters_list_exactly_the_matching_runs_newest_first(string filter)
    {
        var open = Db.Ctas.Where(c => c.IsOpen).Select(c => c.RunId).ToHashSet();
        var working = (RunFact r) => r.Phase is not ("completed" or "failed");
        var middle = Db.Runs.OrderBy(r => r.CreatedAt).ElementAt(Db.Runs.Count / 2);
        var lastDay = Db.Runs.Max(r => r.CreatedAt).UtcDateTime.Date;
        var repo = Db.Waiting.Repo!;
        var word = Db.Waiting.Prompt.Split(' ')[1];
        (string[] Args, IEnumerable<RunFact> Expected) @case = filter switch
        {
            "running" => (["--status", "running"], Db.Runs.Where(r => working(r) && !open.Contains(r.Id))),
            "waiting" => (["--status", "waiting"], Db.Runs.Where(r => working(r) && open.Contains(r.Id))),
            "completed" or "failed" => (["--status", filter], Db.Runs.Where(r => r.Phase == filter)),
            // The middle run's instant, written in another zone: the offset is honoured, and the bound is inclusive.
            "since" => (["--since", middle.CreatedAt.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture)],
                Db.Runs.Where(r => r.CreatedAt >= middle.CreatedAt)),
            // A date alone is midnight UTC.
            "since-date" => (["--since", lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
                Db.Runs.Where(r => r.CreatedAt >= new DateTimeOffset(lastDay, TimeSpan.Zero))),
            "repo" => (["--repo", repo], Db.Runs.Where(r => r.Repo == repo)),
            // ASCII letters in any case.
            "search" => (["--search", word.ToUpperInvariant()], Db.Runs.Where(r => r.Prompt.Contains(word, StringComparison.OrdinalIgnoreCase))),
            _ => throw new ArgumentOutOfRangeException(nameof(filter)),
        };
        var args = @case.Args;
        List<RunFact> expected = [.. @case.Expected];

        var result = await fixture.CachedAsync(["runs", .. args, "--limit", "1000", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(
            expected.OrderByDescending(r => r.CreatedAt).Select(r => r.Id),
            json.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("nextCursor").ValueKind);
        if (filter is "since" or "repo" or "search" or "waiting")
        {
            // A filter that narrows nothing would prove nothing.
            Assert.NotEmpty(expected);
            Assert.True(expected.Count < Db.Runs.Count, $"{filter} matches every run");
        }
    }

    [Fact]
    public async Task Runs_pages_visit_every_run_once_newest_first()
    {
        var seen = new List<Guid>();
        string? cursor = null;
        for (var page = 0; page < Db.Runs.Count; page++)
        {
            var result = await fixture.CachedAsync(["runs", "--limit", "2", "--json", .. cursor is null ? Array.Empty<string>() : ["--after", cursor]]);
            Assert.True(result.ExitCode == 0, result.ToString());
            var json = JsonDocument.Parse(result.Stdout).RootElement;
            var ids = json.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();
            seen.AddRange(ids);
            cursor = json.GetProperty("nextCursor").GetString();
            if (cursor is null)
            {
                break;
            }
            Assert.Equal(2, ids.Count);
        }

        Assert.Null(cursor);
        Assert.Equal(Db.Runs.OrderByDescending(r => r.CreatedAt).Select(r => r.Id), seen);
    }

    [Fact]
    public async Task Runs_prints_the_next_pages_command_and_that_command_lists_the_next_page()
    {
        var completed = Db.Runs.Where(r => r.Phase == "completed").OrderByDescending(r => r.CreatedAt).ToList();
        Assert.True(completed.Count >= 2, "the demo stores at least two completed runs");

        var first = await fixture.CachedAsync("runs", "--status", "completed", "--limit", "1");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(DbFacts.ShortId(completed[0].Id), first.StdoutLines[1].Split(' ')[0]);
        var lines = first.StdoutLines.ToList();
        var command = lines[lines.IndexOf("Next page:") + 1].Trim();
        Assert.StartsWith("agentpipe runs ", command, StringComparison.Ordinal);
        var words = ShellWords(command["agentpipe ".Length..]);
        Assert.Contains("--after", words);
        Assert.Equal("completed", words[words.IndexOf("--status") + 1]);
        // The fixture gives its own --db; the printed one (SQLite only: a PostgreSQL target may hold a password) names the same file.
        if (words.IndexOf("--db") is var db and >= 0)
        {
            Assert.Equal(Path.GetFullPath(fixture.Store.Target), Path.GetFullPath(words[db + 1]));
            words.RemoveRange(db, 2);
        }

        var second = await fixture.CachedAsync([.. words]);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(DbFacts.ShortId(completed[1].Id), second.StdoutLines[1].Split(' ')[0]);
        Assert.Equal(completed.Count > 2, second.StdoutLines.Contains("Next page:"));
    }

    [Theory]
    [InlineData("--status", "stuck")]
    [InlineData("--since", "yesterday")]
    [InlineData("--since", "2026-13-01")]
    [InlineData("--after", "not-a-cursor")]
    [InlineData("--limit", "1001")]
    public async Task Runs_with_a_bad_option_value_exits_1_with_one_line_naming_the_option(string option, string value)
    {
        var result = await fixture.CachedAsync("runs", option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith($"error: {option} ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    /// <summary>A command line as a POSIX shell splits it: words apart at spaces, single quotes kept together.</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '\'' )
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    any = false;
                }
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }
        if (any)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    [Fact]
    public async Task Show_prints_phases_agents_sub_agents_steps_tool_calls_memory_and_ctas()
    {
        var run = Db.Waiting;
        var result = await fixture.CachedAsync("show", DbFacts.ShortId(run.Id));

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = result.Stdout;
        Assert.Contains($"Run {run.Id}", text, StringComparison.Ordinal);
        foreach (var phase in Db.Phases.Where(p => p.RunId == run.Id))
        {
            Assert.Contains($"── {phase.Phase}  {phase.Status}", text, StringComparison.Ordinal);
        }
        foreach (var invocation in Db.Invocations.Where(i => i.RunId == run.Id))
        {
            var line = Assert.Single(result.StdoutLines, l => l.Contains(DbFacts.ShortId(invocation.Id), StringComparison.Ordinal));
            Assert.Contains($"{invocation.AgentType} {DbFacts.ShortId(invocation.Id)}  {invocation.ModelId}  {invocation.FinishReason ?? "running"}", line, StringComparison.Ordinal);
            // A sub-agent is drawn one level (four columns) deeper than its parent.
            if (invocation.ParentId is { } parent)
            {
                var parentLine = Assert.Single(result.StdoutLines, l => l.Contains(DbFacts.ShortId(parent), StringComparison.Ordinal));
                Assert.Equal(Indent(parentLine) + 4, Indent(line));
            }
        }
        Assert.Equal(
            Db.Steps.Count(s => s.RunId == run.Id),
            result.StdoutLines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"── step \d+  ")));
        foreach (var tool in Db.ToolCalls.Where(t => t.RunId == run.Id).GroupBy(t => (t.ToolName, t.OutputType ?? "pending", t.IsError)))
        {
            var (name, type, error) = tool.Key;
            Assert.Equal(tool.Count(), result.StdoutLines.Count(l => l.Contains($"── {name}  {type}{(error ? "  error" : "")}", StringComparison.Ordinal)
                && (error || !l.Contains($"{type}  error", StringComparison.Ordinal))));
        }
        foreach (var memory in Db.Memories.Where(m => m.RunId == run.Id))
        {
            Assert.Contains($"{memory.Phase}/{memory.Kind} {CliResult.Flat(memory.Content)}", result.FlatStdout, StringComparison.Ordinal);
        }
        foreach (var cta in Db.Ctas.Where(c => c.RunId == run.Id))
        {
            Assert.Contains(DbFacts.ShortId(cta.Id), text, StringComparison.Ordinal);
            Assert.Contains(CliResult.Flat(cta.Question), result.FlatStdout, StringComparison.Ordinal);
        }
        Assert.Contains("request_human_feedback  pending", text, StringComparison.Ordinal);
        Assert.Contains("open since", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_json_is_the_stored_run_with_sub_agents_nested_under_their_parent()
    {
        foreach (var run in new[] { Db.Waiting, Failed })
        {
            var result = await fixture.CachedAsync(ShowJson(run));
            Assert.True(result.ExitCode == 0, result.ToString());
            var json = JsonDocument.Parse(result.Stdout).RootElement;

            Assert.Equal(run.Id, json.GetProperty("id").GetGuid());
            Assert.Equal(run.Phase, json.GetProperty("currentPhase").GetString());
            Assert.Equal(Db.TotalTokens(run.Id), json.GetProperty("totalTokens").GetInt64());
            var phases = json.GetProperty("phases").EnumerateArray().ToList();
            Assert.Equal(Db.Phases.Where(p => p.RunId == run.Id).OrderBy(p => p.StartedAt).Select(p => (p.Id, p.Phase, p.Status, p.StartedAt, p.CompletedAt)),
                phases.Select(p => (p.GetProperty("id").GetGuid(), p.GetProperty("phase").GetString()!, p.GetProperty("status").GetString()!,
                    Instant(p.GetProperty("startedAt")), NullableInstant(p.GetProperty("completedAt")))));

            var seen = new List<Guid>();
            void Check(JsonElement invocation, Guid phaseResultId, Guid? parent)
            {
                var id = invocation.GetProperty("id").GetGuid();
                seen.Add(id);
                var stored = Db.Invocations.Single(i => i.Id == id);
                Assert.Equal((phaseResultId, parent), (stored.PhaseResultId, stored.ParentId));
                Assert.Equal(parent, invocation.GetProperty("parentInvocationId").Deserialize<Guid?>());
                Assert.Equal(stored.AgentType, invocation.GetProperty("agentType").GetString());
                Assert.Equal(stored.ModelId, invocation.GetProperty("modelId").GetString());
                Assert.Equal(stored.FinishReason, invocation.GetProperty("finishReason").GetString());
                var usage = invocation.GetProperty("usage");
                Assert.Equal((stored.InputTokens, stored.OutputTokens, stored.TotalTokens, stored.CacheReadTokens, stored.ReasoningTokens),
                    (Long(usage, "inputTokens"), Long(usage, "outputTokens"), Long(usage, "totalTokens"), Long(usage, "inputCacheReadTokens"), Long(usage, "outputReasoningTokens")));
                var steps = invocation.GetProperty("steps").EnumerateArray().ToList();
                Assert.Equal(Db.Steps.Where(s => s.InvocationId == id).OrderBy(s => s.StepNumber).Select(s => (s.Id, s.StepNumber, s.TotalTokens)),
                    steps.Select(s => (s.GetProperty("id").GetGuid(), s.GetProperty("stepNumber").GetInt32(), Long(s.GetProperty("usage"), "totalTokens"))));
                foreach (var step in steps)
                {
                    var stepId = step.GetProperty("id").GetGuid();
                    Assert.Equal(
                        Db.ToolCalls.Where(t => t.StepId == stepId).Select(t => (t.Id, t.ToolName, t.OutputType, t.IsError)).OrderBy(t => t.Id),
                        step.GetProperty("toolCalls").EnumerateArray().Select(t => (t.GetProperty("id").GetGuid(), t.GetProperty("toolName").GetString()!,
                            t.GetProperty("outputType").GetString(), t.GetProperty("isError").GetBoolean())).OrderBy(t => t.Item1));
                }
                foreach (var sub in invocation.GetProperty("subAgents").EnumerateArray())
                {
                    Check(sub, phaseResultId, id);
                }
            }
            foreach (var phase in phases)
            {
                foreach (var invocation in phase.GetProperty("invocations").EnumerateArray())
                {
                    Check(invocation, phase.GetProperty("id").GetGuid(), null);
                }
            }
            Assert.Equal(Db.Invocations.Where(i => i.RunId == run.Id).Select(i => i.Id).Order(), seen.Order());

            Assert.Equal(Db.Memories.Where(m => m.RunId == run.Id).Select(m => (m.Id, m.Phase, m.Kind, m.Content, m.CreatedAt)),
                json.GetProperty("memories").EnumerateArray().Select(m => (m.GetProperty("id").GetGuid(), m.GetProperty("phase").GetString()!,
                    m.GetProperty("kind").GetString()!, m.GetProperty("content").GetString()!, Instant(m.GetProperty("createdAt")))));
            Assert.Equal(Db.Ctas.Where(c => c.RunId == run.Id).OrderBy(c => c.RequestedAt).Select(c => (c.Id, c.Kind, c.TimedOut, c.Approved, c.SelectedId, c.RespondedAt)),
                json.GetProperty("ctas").EnumerateArray().Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("kind").GetString()!, c.GetProperty("timedOut").GetBoolean(),
                    c.GetProperty("response").ValueKind == JsonValueKind.Null ? null : c.GetProperty("response").GetProperty("approved").Deserialize<bool?>(),
                    c.GetProperty("response").ValueKind == JsonValueKind.Null ? null : c.GetProperty("response").GetProperty("selectedId").GetString(),
                    NullableInstant(c.GetProperty("respondedAt")))));
        }
    }

    [Fact]
    public async Task A_run_is_found_by_its_full_id_its_short_id_in_any_case_or_a_unique_prefix_typed_with_dashes()
    {
        var run = Db.Runs.OrderBy(r => r.CreatedAt).First();
        var hex = run.Id.ToString("N");
        var others = Db.Runs.Where(r => r.Id != run.Id).Select(r => r.Id.ToString("N")).ToList();
        var prefixLength = Enumerable.Range(4, 29).First(n => others.All(o => !TypedMatches(hex[..n], o)));
        var dashed = run.Id.ToString();
        var typedPrefix = dashed[..Enumerable.Range(1, 36).First(n => dashed[..n].Count(char.IsAsciiHexDigit) == prefixLength)];

        var byPrefix = await fixture.CachedAsync("show", typedPrefix, "--json");
        var memoriesByPrefix = await fixture.CachedAsync("memories", typedPrefix, "--json");
        var byFullId = await fixture.CachedAsync(ShowJson(Db.Waiting));
        var byShortId = await fixture.CachedAsync(ShowJson(Failed));

        Assert.True(byPrefix.ExitCode == 0, byPrefix.ToString());
        Assert.Equal(run.Id, JsonDocument.Parse(byPrefix.Stdout).RootElement.GetProperty("id").GetGuid()); // that run, not another
        Assert.Equal(Db.Memories.Where(m => m.RunId == run.Id).Select(m => m.Content),
            JsonDocument.Parse(memoriesByPrefix.Stdout).RootElement.EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Contains(Db.Waiting.Id.ToString(), ShowJson(Db.Waiting));
        Assert.Equal(Db.Waiting.Id, JsonDocument.Parse(byFullId.Stdout).RootElement.GetProperty("id").GetGuid());
        Assert.Contains(DbFacts.ShortId(Failed.Id).ToUpperInvariant(), ShowJson(Failed));
        Assert.Equal(Failed.Id, JsonDocument.Parse(byShortId.Stdout).RootElement.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task An_ambiguous_short_id_exits_1_naming_the_candidates()
    {
        // UUIDv7 ids start with their timestamp: runs made the same hour share their first digits.
        var ids = Db.Runs.Select(r => r.Id.ToString("N")).ToList();
        var shared = ids.SelectMany(a => ids.Where(b => b != a).Select(b => a[..Enumerable.Range(0, 32).TakeWhile(i => a[i] == b[i]).Count()]))
            .Where(p => p.Length >= 4 && ids.All(id => id.StartsWith(p, StringComparison.Ordinal) || !TypedMatches(p, id)))
            .OrderBy(p => p.Length).First();
        var candidates = Db.Runs.Where(r => r.Id.ToString("N").StartsWith(shared, StringComparison.Ordinal)).ToList();

        var result = await fixture.CachedAsync("show", shared);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith($"error: '{shared}' matches {candidates.Count} runs (", result.Stderr, StringComparison.Ordinal);
        Assert.All(candidates, c => Assert.Contains(c.Id.ToString(), result.Stderr, StringComparison.Ordinal));
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
    }

    /// <summary>
    /// Whether typed hex digits name an id (32 hex digits) as the CLI documents it: the id's
    /// start, its end, or the start of its short id (its last 8 digits).
    /// </summary>
    private static bool TypedMatches(string typed, string hex) =>
        hex.StartsWith(typed, StringComparison.Ordinal) || hex.EndsWith(typed, StringComparison.Ordinal)
        || hex[^8..].StartsWith(typed, StringComparison.Ordinal);

    [Fact]
    public async Task An_unknown_run_exits_2_and_a_malformed_one_exits_1_each_on_one_line()
    {
        var unknownShort = await fixture.CachedAsync("show", "0000000000");
        var unknownFull = await fixture.CachedAsync("memories", "7f1c2a40-0000-7000-8000-000000000000");
        var malformed = await fixture.CachedAsync("show", "run-42");
        // A malformed id is a usage error found before the database is opened.

        Assert.Equal((2, "error: No run matches '0000000000'.\n"), (unknownShort.ExitCode, unknownShort.Stderr));
        Assert.Equal((2, "error: No run has the id '7f1c2a40-0000-7000-8000-000000000000'.\n"), (unknownFull.ExitCode, unknownFull.Stderr));
        Assert.Equal(1, malformed.ExitCode);
        Assert.StartsWith("error: 'run-42' is not a run id", malformed.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("Run 'agentpipe show --help' for usage.\n", malformed.Stderr, StringComparison.Ordinal);
        Assert.All(new[] { unknownShort, unknownFull, malformed }, r => Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Memories_prints_the_notes_grouped_by_kind_in_the_order_they_were_written()
    {
        var run = Db.Runs.First(r => r.Phase == "completed");
        var result = await fixture.CachedAsync("memories", DbFacts.ShortId(run.Id));

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new List<string>();
        foreach (var (kind, heading) in new[] { ("constraint", "Constraints"), ("decision", "Decisions"), ("failure", "Failures"), ("insight", "Insights") })
        {
            var notes = Db.Memories.Where(m => m.RunId == run.Id && m.Kind == kind).ToList();
            if (notes.Count > 0)
            {
                expected.Add("## " + heading);
                expected.AddRange(notes.Select(n => $"- ({n.Phase}) {n.Content}"));
            }
        }
        Assert.True(expected.Count > 4);
        Assert.Equal(expected, result.StdoutLines);
    }

    [Fact]
    public async Task Stats_json_totals_match_the_stored_invocations_steps_and_tool_calls_for_every_grouping()
    {
        foreach (var (by, key) in new (string, Func<InvocationFact, string>)[]
        {
            ("model", i => i.ModelId!),
            ("phase", i => Db.Phases.Single(p => p.Id == i.PhaseResultId).Phase),
            ("agent", i => i.AgentType),
        })
        {
            var result = await fixture.CachedAsync("stats", "--by", by, "--json");
            Assert.True(result.ExitCode == 0, result.ToString());
            var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
            var groups = Db.Invocations.GroupBy(key).ToList();
            Assert.Equal(groups.Select(g => g.Key).Order(), rows.Keys.Order());
            foreach (var group in groups)
            {
                var ids = group.Select(i => i.Id).ToHashSet();
                var row = rows[group.Key];
                Assert.Equal(group.Count(), row.GetProperty("invocations").GetInt32());
                Assert.Equal(Db.Steps.Count(s => ids.Contains(s.InvocationId)), row.GetProperty("steps").GetInt32());
                Assert.Equal(Db.ToolCalls.Count(t => ids.Contains(t.InvocationId)), row.GetProperty("toolCalls").GetInt32());
                Assert.Equal(group.Sum(i => i.TotalTokens ?? Db.Steps.Where(s => s.InvocationId == i.Id).Sum(s => s.TotalTokens ?? 0)),
                    row.GetProperty("totalTokens").GetInt64());
                Assert.Equal(group.Sum(i => i.CompletedAt is { } end ? (long)(end - i.StartedAt).TotalMilliseconds : 0), row.GetProperty("agentTimeMs").GetInt64());
                // modelProvider belongs to a model's row only.
                Assert.Equal(by == "model", row.TryGetProperty("modelProvider", out _));
                if (by == "model")
                {
                    Assert.Equal(group.First().ModelProvider, row.GetProperty("modelProvider").GetString());
                }
            }
        }
    }

    [Fact]
    public async Task Stats_table_has_a_row_per_group_and_a_total_row()
    {
        var result = await fixture.CachedAsync("stats", "--by", "agent");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StdoutLines;
        Assert.StartsWith("Agent", lines[0], StringComparison.Ordinal);
        foreach (var group in Db.Invocations.GroupBy(i => i.AgentType))
        {
            var cells = Assert.Single(lines, l => l.StartsWith(group.Key + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(group.Count().ToString("N0", CultureInfo.InvariantCulture), cells[1]);
        }
        var total = Assert.Single(lines, l => l.StartsWith("total ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            (Db.Invocations.Count, Db.Steps.Count, Db.ToolCalls.Count),
            (int.Parse(total[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture), int.Parse(total[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
             int.Parse(total[3], NumberStyles.AllowThousands, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Cta_list_open_shows_the_open_cta_and_the_command_to_answer_it()
    {
        var open = Db.Ctas.Single(c => c.IsOpen);
        var table = await fixture.CachedAsync("cta", "list", "--open");
        var json = await fixture.CachedAsync("cta", "list", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        var row = Assert.Single(table.StdoutLines, l => l.StartsWith(DbFacts.ShortId(open.Id), StringComparison.Ordinal));
        Assert.Contains($"{DbFacts.ShortId(open.RunId)}  approval  open", row, StringComparison.Ordinal);
        Assert.Equal(4, table.StdoutLines.Count);
        Assert.Equal($"  agentpipe cta answer {DbFacts.ShortId(open.Id)} --approve --reason \"Looks good\"", table.StdoutLines[^1]);
        var all = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(Db.Ctas.OrderByDescending(c => c.RequestedAt).Select(c => (c.Id, c.IsOpen ? "open" : c.TimedOut ? "timed-out" : "answered")),
            all.Select(c => (c.GetProperty("id").GetGuid(), c.GetProperty("status").GetString()!)));
    }

    [Fact]
    public async Task Tables_and_trees_fit_80_columns_without_colour_codes()
    {
        var outputs = new List<CliResult>
        {
            fixture.Demo,
            await fixture.CachedAsync("runs"),
            await fixture.CachedAsync("stats"),
            await fixture.CachedAsync("stats", "--by", "agent"),
            await fixture.CachedAsync("cta", "list", "--open"),
            await fixture.CachedAsync("show", DbFacts.ShortId(Db.Waiting.Id)),
            await fixture.CachedAsync("show", DbFacts.ShortId(Failed.Id)),
        };

        foreach (var output in outputs)
        {
            Assert.True(output.ExitCode == 0, output.ToString());
            Assert.DoesNotContain('\u001b', output.Stdout);
            // The commands demo suggests are printed whole, to be copied: with this fixture's long --db path they are wider.
            Assert.All(output.StdoutLines.Where(l => !l.StartsWith("  agentpipe ", StringComparison.Ordinal)),
                line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        }
    }

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        var root = await fixture.CachedAsync("--help");
        var answer = await fixture.CachedAsync("cta", "answer", "--help");

        foreach (var help in new[] { root, answer })
        {
            Assert.Equal(0, help.ExitCode);
            Assert.Contains("Exit codes:", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("2  not found", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("4  database unreachable", help.Stdout, StringComparison.Ordinal);
            Assert.Contains("130  cancelled", help.Stdout, StringComparison.Ordinal);
        }
        foreach (var command in new[] { "demo", "runs", "show", "memories", "cta", "stats", "migrate" })
        {
            Assert.Contains($"  {command} ", root.Stdout, StringComparison.Ordinal);
        }
    }

    private RunFact Failed => Db.Runs.OrderBy(r => r.CreatedAt).First(r => r.Phase == "failed");

    /// <summary><c>show --json</c> of the waiting run by its full id, of others by their short id in upper case.</summary>
    private string[] ShowJson(RunFact run) =>
        ["show", run.Id == Db.Waiting.Id ? run.Id.ToString() : DbFacts.ShortId(run.Id).ToUpperInvariant(), "--json"];

    private static IEnumerable<string> Line(CliResult result, string start) =>
        result.StdoutLines.Where(l => l.StartsWith(start, StringComparison.Ordinal));

    private static int Indent(string treeLine) => treeLine.TakeWhile(c => !char.IsAsciiLetterOrDigit(c)).Count();

    private static long? Long(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetInt64();

    private static DateTimeOffset Instant(JsonElement element)
    {
        var text = element.GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", text);
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
    }

    private static DateTimeOffset? NullableInstant(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : Instant(element);
}

public sealed class SqliteReadCommandTests(DemoFixture<SqliteFixture> fixture) : ReadCommandTests<SqliteFixture>(fixture);

public sealed class PostgreSqlReadCommandTests(DemoFixture<PostgreSqlFixture> fixture) : ReadCommandTests<PostgreSqlFixture>(fixture);
