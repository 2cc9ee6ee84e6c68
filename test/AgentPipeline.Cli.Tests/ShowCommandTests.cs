using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// One run written through the library with every column set (JSON values whose text a re-serializer
/// would change), then <c>show</c> with <c>--content</c>, <c>--phase</c>, <c>--agent</c>, <c>--depth</c> and
/// <c>--json</c> through the CLI process, held against the rows read back with raw SQL.
/// </summary>
public sealed class ShowFixture<TStore> : IAsyncLifetime
    where TStore : StoreFixture, new()
{
    /// <summary>Key order, number spellings and escapes a serializer would rewrite.</summary>
    public const string Exact = """{"$type":"text","z":1,"a":[1e400,-3.128163257315464E-07,123456789012345678901234567890],"s":"caf\u00e9 \"q\" <b>","t":{"y":[[{}]]}}""";

    public static readonly string LongOutput = string.Concat(Enumerable.Range(0, 500).Select(i => $"line{i:0000} "));

    private readonly TempFolder _folder = new();

    public TStore Store { get; } = new();

    public Guid Run { get; private set; }
    public Guid Analysis { get; private set; }
    public Guid Judging { get; private set; }
    public Guid Orchestrator { get; private set; }
    public Guid Explorer { get; private set; }
    public Guid Coder { get; private set; }
    public Guid Judge { get; private set; }

    /// <summary>Each JSON column written, by table and column: the exact text.</summary>
    public Dictionary<(string Table, string Column), string> JsonWritten { get; } = [];

    public async Task InitializeAsync()
    {
        await Store.InitializeAsync();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        await using var db = Store.Open(clock);
        JsonElement J(string table, string column, string text)
        {
            JsonWritten[(table, column)] = text;
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        const string I = "agent_invocations", S = "agent_steps", T = "tool_calls";
        var sandbox = "sbx_show";
        await CreateSandboxRecordAsync(db, new NewSandboxRecord
        {
            Id = sandbox, Runtime = "node24", Memory = 2048, Vcpus = 2, Region = "iad1", Cwd = "/work", Timeout = 600_000,
            NetworkPolicy = J("sandboxes", "network_policy", Exact), InteractivePort = 8080, Routes = J("sandboxes", "routes", """[{"port":3000}]"""),
            SourceSnapshotId = "snap_0", SourceType = SandboxSourceType.Git, SourceUrl = "https://github.com/o/r.git", SourceRevision = "abc", SourceDepth = 1,
            RequestedAt = clock.Now,
        });
        Run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Add rate limiting", SandboxId = sandbox, GithubRepoUrl = "https://github.com/o/r", GithubBranch = "feat/rl" });
        await CreateSnapshotRecordAsync(db, new NewSnapshotRecord { Id = "snap_1", SandboxId = sandbox, Status = SnapshotStatus.Created, SizeBytes = 1234, Region = "iad1", ExpiresAt = clock.Now.AddDays(7) });
        Analysis = await CreatePhaseResultAsync(db, new NewPhaseResult { RunId = Run, Phase = FeaturePhase.Analysis });
        clock.Advance(TimeSpan.FromSeconds(1));
        Orchestrator = await CreateAgentInvocationAsync(db, new NewAgentInvocation
        {
            PhaseResultId = Analysis, AgentType = AgentType.Orchestrator, ModelProvider = "anthropic", ModelId = "claude-sonnet",
            SystemPrompt = "You are the orchestrator of a feature pipeline.", InputMessages = J(I, "input_messages", Exact),
        });
        // Steps 2.0 s and 3.5 s apart: the durations show them.
        clock.Advance(TimeSpan.FromSeconds(2));
        var step0 = await CreateAgentStepAsync(db, new NewAgentStep
        {
            InvocationId = Orchestrator, StepNumber = 0, ModelProvider = "anthropic", ModelId = "claude-sonnet", FunctionId = "fn", Metadata = J(S, "metadata", """{"m":1}"""),
            Text = "Spawning an explorer.", ReasoningText = "Need to look around first.", Reasoning = J(S, "reasoning", """[{"r":1}]"""), Content = J(S, "content", Exact),
            Files = J(S, "files", "[]"), Sources = J(S, "sources", """[{"s":2}]"""), FinishReason = FinishReason.ToolCalls, RawFinishReason = "tool_use",
            Usage = new TokenUsage { InputTokens = 10, OutputTokens = 2, TotalTokens = 12, InputNoCacheTokens = 4, InputCacheReadTokens = 6, InputCacheWriteTokens = 0, OutputTextTokens = 1, OutputReasoningTokens = 1, Raw = J(S, "usage_raw", """{"in":10,"out":2}""") },
            Warnings = J(S, "warnings", "[]"), RequestBody = J(S, "request_body", Exact), ResponseId = "resp_0", ResponseModelId = "claude-sonnet-1",
            ResponseHeaders = J(S, "response_headers", """{"x-b":"1","x-a":"2"}"""), ResponseBody = J(S, "response_body", """{"b":[1.50,2E3]}"""),
            ResponseTimestamp = clock.Now, ProviderMetadata = J(S, "provider_metadata", """{"p":{"q":1}}"""),
        });
        var call = await CreateToolCallAsync(db, new NewToolCall
        {
            StepId = step0, ToolCallId = "toolu_1", ToolName = "spawn_subagent", Input = J(T, "input", Exact), IsDynamic = true, IsPreliminary = false,
            IsProviderExecuted = false, Title = "Spawn explorer", ProviderMetadata = J(T, "provider_metadata", """{"pm":true}"""),
        });
        Explorer = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = Analysis, ParentInvocationId = Orchestrator, AgentType = AgentType.Explorer, ModelId = "haiku" });
        var explorerStep = await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = Explorer, StepNumber = 0, Text = "Looked." });
        Coder = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = Analysis, ParentInvocationId = Explorer, AgentType = AgentType.Coder, ModelId = "haiku" });
        await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = Coder, StepNumber = 0, Text = "Coded." });
        var failing = await CreateToolCallAsync(db, new NewToolCall { StepId = explorerStep, ToolCallId = "toolu_2", ToolName = "bash", Input = J(T + "#2", "input", """{"command":"npm test"}""") });
        await CompleteToolCallAsync(db, failing, new ToolCallCompletion { Output = J(T + "#2", "output", "\"boom\""), OutputType = ToolOutputType.ErrorText, Error = J(T, "error", """{"name":"E","message":"boom"}""") });
        await CompleteToolCallAsync(db, call, new ToolCallCompletion { Output = J(T, "output", Exact), OutputType = ToolOutputType.Json });
        clock.Advance(TimeSpan.FromMilliseconds(3500));
        await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = Orchestrator, StepNumber = 1, Text = "Done.", FinishReason = FinishReason.Stop });
        await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = Analysis, InvocationId = Explorer, Kind = MemoryKind.Insight, Content = "The API has no rate limiter." });
        await CompleteAgentInvocationAsync(db, Orchestrator, new AgentInvocationCompletion
        {
            FinishReason = FinishReason.Stop, RawFinishReason = "end_turn", OutputText = LongOutput, OutputReasoningText = "Thought it through.",
            OutputReasoning = J(I, "output_reasoning", """[{"k":1}]"""), OutputContent = J(I, "output_content", Exact), OutputFiles = J(I, "output_files", "[]"),
            OutputSources = J(I, "output_sources", "[]"), ResponseMessages = J(I, "response_messages", Exact), ResponseId = "resp_1", ResponseModelId = "claude-sonnet-1",
            ResponseHeaders = J(I, "response_headers", """{"h":"v"}"""), ResponseBody = J(I, "response_body", """{"r":1.0}"""), ResponseTimestamp = clock.Now,
            ProviderMetadata = J(I, "provider_metadata", """{"p":1}"""), Warnings = J(I, "warnings", "[]"), RequestBody = J(I, "request_body", Exact), StepCount = 2,
            Usage = new TokenUsage { InputTokens = 100, OutputTokens = 20, TotalTokens = 120, InputNoCacheTokens = 40, InputCacheReadTokens = 60, InputCacheWriteTokens = 0, OutputTextTokens = 15, OutputReasoningTokens = 5, Raw = J(I, "usage_raw", """{"u":120}""") },
        });
        await PassPhaseResultAsync(db, Analysis, J("phase_results", "output", Exact));
        Judging = await CreatePhaseResultAsync(db, new NewPhaseResult { RunId = Run, Phase = FeaturePhase.Judging });
        Judge = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = Judging, AgentType = AgentType.Judge, ModelId = "opus" });
        await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = Judging, InvocationId = Judge, Kind = MemoryKind.Decision, Content = "Token bucket wins." });
        var cta = await CreateCtaEventAsync(db, new NewCtaEvent
        {
            RunId = Run, PhaseResultId = Judging, InvocationId = Judge, ToolCallId = "toolu_9", Kind = CtaKind.Choice, RequestPrompt = "Which one?",
            RequestOptions = [new("a", "Token bucket"), new("b", "Sliding window")],
        });
        await CompleteCtaEventAsync(db, cta, CtaResponse.Choose("a"));
        await CreateCtaEventAsync(db, new NewCtaEvent { RunId = Run, PhaseResultId = Judging, Kind = CtaKind.Approval, RequestMessage = "Ship it?" });
    }

    public Task<CliResult> RunAsync(params string[] args) => AgentPipe.RunAsync(_folder.Path, [.. args, "--db", Store.Target]);

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        _folder.Dispose();
    }
}

public abstract class ShowCommandTests<TStore>(ShowFixture<TStore> fixture) : IClassFixture<ShowFixture<TStore>>
    where TStore : StoreFixture, new()
{
    private static string Short(Guid id) => DbFacts.ShortId(id);

    /// <summary>The line of the tree that names <paramref name="id"/>'s short id.</summary>
    private static string? LineOf(CliResult result, Guid id) => result.StdoutLines.SingleOrDefault(l => l.Contains(Short(id), StringComparison.Ordinal));

    [Fact]
    public async Task Each_step_shows_the_time_since_the_previous_step_of_its_invocation_the_first_since_the_invocations_start()
    {
        var result = await fixture.RunAsync("show", Short(fixture.Run));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.StdoutLines, l => Regex.IsMatch(l, @"── step 0  tool-calls  2\.0s  in 10  out 2$"));
        Assert.Single(result.StdoutLines, l => Regex.IsMatch(l, @"── step 1  stop  3\.5s  in -  out -$"));
        // Without --content, no content.
        Assert.DoesNotContain("You are the orchestrator", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("line0000", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_shows_messages_texts_tool_input_output_and_errors_and_phase_outputs_cutting_long_values_with_their_size()
    {
        var result = await fixture.RunAsync("show", Short(fixture.Run), "--content");

        Assert.True(result.ExitCode == 0, result.ToString());
        // The text of the tree without its guides, whitespace made single spaces.
        var flat = CliResult.Flat(result.Stdout.Replace('│', ' '));
        Assert.Contains("system: You are the orchestrator of a feature pipeline.", flat, StringComparison.Ordinal);
        // A JSON value is one long word, which the tree cuts across lines: compared without whitespace.
        var dense = string.Concat(result.Stdout.Where(c => !char.IsWhiteSpace(c) && c != '│'));
        var exact = string.Concat(ShowFixture<TStore>.Exact.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains("input:" + exact, dense, StringComparison.Ordinal);
        // The phase's output and the tool call's output, which are the same text here.
        Assert.True(Regex.Matches(dense, Regex.Escape("output:" + exact)).Count >= 2, result.Stdout);
        Assert.Contains("text: Spawning an explorer.", flat, StringComparison.Ordinal);
        Assert.Contains("reasoning: Need to look around first.", flat, StringComparison.Ordinal);
        Assert.Contains("error: {\"name\":\"E\",\"message\":\"boom\"}", flat, StringComparison.Ordinal);
        Assert.Contains("output: \"boom\"", flat, StringComparison.Ordinal);
        // The phase output, and the 4,000-character output text cut to 400 with its full size.
        Assert.Contains("── analysis  passed", result.Stdout, StringComparison.Ordinal);

        Assert.Contains($"output: {ShowFixture<TStore>.LongOutput[..400]} … [cut: 400 of {ShowFixture<TStore>.LongOutput.Length:N0} characters shown]",
            flat, StringComparison.Ordinal);
        Assert.DoesNotContain("line0499", flat, StringComparison.Ordinal);
        Assert.All(result.StdoutLines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
    }

    [Fact]
    public async Task Phase_shows_that_phase_alone_with_its_memory_records_and_ctas()
    {
        var result = await fixture.RunAsync("show", Short(fixture.Run), "--phase", "judging");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Phases (1 of 2)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("── judging  running", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("── analysis", result.Stdout, StringComparison.Ordinal);
        Assert.NotNull(LineOf(result, fixture.Judge));
        Assert.Null(LineOf(result, fixture.Orchestrator));
        Assert.Contains("Memory (1)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Token bucket wins.", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("no rate limiter", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("CTAs (2)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_shows_that_invocation_and_its_sub_agents_found_by_a_prefix_of_its_short_id()
    {
        var result = await fixture.RunAsync("show", Short(fixture.Run), "--agent", Short(fixture.Explorer)[..6]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("── analysis  passed", result.Stdout, StringComparison.Ordinal);
        Assert.NotNull(LineOf(result, fixture.Explorer));
        Assert.NotNull(LineOf(result, fixture.Coder));
        Assert.Null(LineOf(result, fixture.Orchestrator));
        Assert.Null(LineOf(result, fixture.Judge));
        // The explorer's note, not the judge's; no CTA was asked by them.
        Assert.Contains("Memory (1)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("no rate limiter", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("CTAs (0)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_that_is_not_in_the_run_exits_2_and_a_malformed_one_exits_1_each_on_one_line()
    {
        var missing = await fixture.RunAsync("show", Short(fixture.Run), "--agent", "00000000");
        var elsewhere = await fixture.RunAsync("show", Short(fixture.Run), "--phase", "judging", "--agent", Short(fixture.Explorer));
        var malformed = await fixture.RunAsync("show", Short(fixture.Run), "--agent", "xyz");
        var depth = await fixture.RunAsync("show", Short(fixture.Run), "--depth", "-1");

        Assert.Equal((2, "error: No invocation of this run matches '00000000'.\n"), (missing.ExitCode, missing.Stderr));
        Assert.Equal((2, $"error: No invocation in phase judging of this run matches '{Short(fixture.Explorer)}'.\n"), (elsewhere.ExitCode, elsewhere.Stderr));
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("'xyz' is not an invocation id", malformed.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, depth.ExitCode);
        Assert.Contains("--depth must be 0 or more.", depth.Stderr, StringComparison.Ordinal);
        Assert.All(new[] { missing, elsewhere, malformed, depth }, r => Assert.Empty(r.Stdout));
    }

    [Fact]
    public async Task An_agent_prefix_shared_by_several_invocations_exits_1_naming_them()
    {
        // UUIDv7 ids begin with their creation time: the run's invocations share their first digits.
        var prefix = fixture.Orchestrator.ToString("N")[..4];

        var result = await fixture.RunAsync("show", Short(fixture.Run), "--agent", prefix);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.StartsWith($"error: '{prefix}' matches 4 invocations of this run (", result.Stderr, StringComparison.Ordinal);
        Assert.All(new[] { fixture.Orchestrator, fixture.Explorer, fixture.Coder, fixture.Judge },
            id => Assert.Contains(id.ToString(), result.Stderr, StringComparison.Ordinal));
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Depth_limits_sub_agent_nesting_and_counts_the_ones_left_out()
    {
        var none = await fixture.RunAsync("show", Short(fixture.Run), "--depth", "0");
        var one = await fixture.RunAsync("show", Short(fixture.Run), "--depth", "1");
        var json = await fixture.RunAsync("show", Short(fixture.Run), "--depth", "1", "--json");

        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Null(LineOf(none, fixture.Explorer));
        Assert.Null(LineOf(none, fixture.Coder));
        Assert.Single(none.StdoutLines, l => l.EndsWith("── 1 sub-agent below --depth", StringComparison.Ordinal));
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.NotNull(LineOf(one, fixture.Explorer));
        Assert.Null(LineOf(one, fixture.Coder));
        var explorer = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("phases")[0].GetProperty("invocations")[0].GetProperty("subAgents")[0];
        Assert.Equal(fixture.Explorer, explorer.GetProperty("id").GetGuid());
        Assert.Equal(0, explorer.GetProperty("subAgents").GetArrayLength());
        Assert.Equal(1, explorer.GetProperty("subAgentsNotShown").GetInt32());
    }

    [Fact]
    public async Task Json_carries_every_column_of_the_run_and_stored_json_as_its_exact_text()
    {
        var result = await fixture.RunAsync("show", fixture.Run.ToString(), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        var store = fixture.Store;
        async Task Check(string table, string where, Func<Dictionary<string, object?>, JsonElement> node, params string[] leftOut)
        {
            var rows = await store.QueryAsync($"SELECT * FROM {store.T(table)} WHERE {where}", ("run", fixture.Run));
            Assert.NotEmpty(rows);
            foreach (var row in rows)
            {
                var json = node(row);
                foreach (var (column, value) in row.Where(c => !leftOut.Contains(c.Key)))
                {
                    var property = Property(json, table, column);
                    Assert.True(property is not null, $"{table}.{column} is missing from show --json");
                    Assert.Equal(value is null, property.Value.ValueKind == JsonValueKind.Null);
                    var isJson = fixture.JsonWritten.Keys.Any(k => k.Column == column && k.Table.StartsWith(table, StringComparison.Ordinal));
                    if (!isJson && value is string text && property.Value.ValueKind == JsonValueKind.String && !column.EndsWith("_at", StringComparison.Ordinal)
                        && !column.EndsWith("id", StringComparison.Ordinal) && column is not ("timestamp" or "response_timestamp" or "expires_at"))
                    {
                        Assert.Equal(text, property.Value.GetString());
                    }
                }
            }
        }
        var invocations = All(root.GetProperty("phases").EnumerateArray().SelectMany(p => p.GetProperty("invocations").EnumerateArray())).ToList();
        var steps = invocations.SelectMany(i => i.GetProperty("steps").EnumerateArray()).ToList();
        JsonElement ById(IEnumerable<JsonElement> nodes, object? id) => nodes.Single(n => n.GetProperty("id").GetGuid() == StoreFixture.AsGuid(id));

        await Check("feature_runs", "id = @run", _ => root);
        await Check("sandboxes", "run_id = @run", _ => root.GetProperty("sandbox"));
        await Check("sandbox_snapshots", "run_id = @run", _ => root.GetProperty("sandbox").GetProperty("snapshots")[0]);
        await Check("phase_results", "run_id = @run", r => ById(root.GetProperty("phases").EnumerateArray(), r["id"]));
        await Check("agent_invocations", "run_id = @run", r => ById(invocations, r["id"]));
        await Check("agent_steps", "run_id = @run", r => ById(steps, r["id"]));
        await Check("tool_calls", "run_id = @run", r => ById(steps.SelectMany(s => s.GetProperty("toolCalls").EnumerateArray()), r["id"]));
        // seq orders a run's notes; it is the store's, not part of a note.
        await Check("memory_records", "run_id = @run", r => ById(root.GetProperty("memories").EnumerateArray(), r["id"]), "seq");
        await Check("cta_events", "run_id = @run", r => ById(root.GetProperty("ctas").EnumerateArray(), r["id"]));

        // Every JSON value as the exact text written: key order, number spellings and escapes kept.
        foreach (var ((table, column), text) in fixture.JsonWritten)
        {
            Assert.True(result.Stdout.Contains(text, StringComparison.Ordinal), $"{table}.{column}: {text} is not in the output as written");
        }
        Assert.Contains("\"input\": " + ShowFixture<TStore>.Exact, result.Stdout, StringComparison.Ordinal);
        // The derived facts: step durations, the failed call.
        var orchestrator = ById(invocations, fixture.Orchestrator);
        Assert.Equal([2000L, 3500L], orchestrator.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("durationMs").GetInt64()));
        Assert.Equal([false, true], steps.SelectMany(s => s.GetProperty("toolCalls").EnumerateArray()).OrderBy(t => t.GetProperty("toolCallId").GetString())
            .Select(t => t.GetProperty("isError").GetBoolean()));
    }

    private static IEnumerable<JsonElement> All(IEnumerable<JsonElement> invocations) =>
        invocations.SelectMany(i => All(i.GetProperty("subAgents").EnumerateArray()).Prepend(i));

    private static readonly Dictionary<string, string> UsageNames = new()
    {
        ["input_tokens"] = "inputTokens", ["output_tokens"] = "outputTokens", ["total_tokens"] = "totalTokens",
        ["input_tokens_no_cache_tokens"] = "inputNoCacheTokens", ["input_tokens_cache_read_tokens"] = "inputCacheReadTokens",
        ["input_tokens_cache_write_tokens"] = "inputCacheWriteTokens", ["output_tokens_text_tokens"] = "outputTextTokens",
        ["output_tokens_reasoning_tokens"] = "outputReasoningTokens", ["usage_raw"] = "raw",
    };

    /// <summary>Where <c>show --json</c> puts a column: its camelCase name; token columns under <c>usage</c>; a CTA's answer under <c>response</c>.</summary>
    private static JsonElement? Property(JsonElement node, string table, string column)
    {
        if (UsageNames.TryGetValue(column, out var usage))
        {
            return node.GetProperty("usage").TryGetProperty(usage, out var u) ? u : null;
        }
        if (table == "cta_events" && column.StartsWith("response_", StringComparison.Ordinal))
        {
            var response = node.GetProperty("response");
            return response.ValueKind == JsonValueKind.Null ? response
                : response.TryGetProperty(Camel(column["response_".Length..]), out var r) ? r : null;
        }
        return node.TryGetProperty(Camel(column), out var p) ? p : null;
    }

    private static string Camel(string column)
    {
        var parts = column.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}

public sealed class SqliteShowCommandTests(ShowFixture<SqliteFixture> fixture) : ShowCommandTests<SqliteFixture>(fixture);

public sealed class PostgreSqlShowCommandTests(ShowFixture<PostgreSqlFixture> fixture) : ShowCommandTests<PostgreSqlFixture>(fixture);
