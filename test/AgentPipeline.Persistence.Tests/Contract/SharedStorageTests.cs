using System.Text;
using System.Text.Json;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Content;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// Shared storage of large values (docs/storage.md): a large value is stored as pieces kept once
/// per run in <c>run_contents</c>, and every read through the library gives back exactly what was
/// written; replays stay no-ops and conflicts stay conflicts.
/// </summary>
public abstract class SharedStorageTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static JsonElement Parse(string text) =>
        JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = DbJson.ReadMaxDepth }).RootElement.Clone();

    /// <summary>The text of each of the run's <c>run_contents</c> rows (a packed piece unpacked: SQLite stores pieces LZ4-packed when that saves).</summary>
    private async Task<List<string>> BodiesAsync(Guid run) =>
        [.. (await Fixture.QueryAsync($"SELECT body FROM {Fixture.T("run_contents")} WHERE run_id = @r", ("r", run)))
            .Select(r => r["body"] is byte[] packed ? Encoding.UTF8.GetString(PackedPiece.Unpack(packed)) : (string)r["body"]!)];

    /// <summary>Each of the run's <c>run_contents</c> rows: its key and its text (packed ones unpacked).</summary>
    private async Task<List<(string Hash, string Text)>> KeyedBodiesAsync(Guid run) =>
        [.. (await Fixture.QueryAsync($"SELECT hash, body FROM {Fixture.T("run_contents")} WHERE run_id = @r", ("r", run)))
            .Select(r => ((string)r["hash"]!, r["body"] is byte[] packed ? Encoding.UTF8.GetString(PackedPiece.Unpack(packed)) : (string)r["body"]!))];

    /// <summary>The most UTF-8 bytes a stored piece holds, as docs/storage.md states it (<see cref="SharedForm.MaxPiece"/>).</summary>
    private const int MaxPieceBytes = 32 * 1024;

    /// <summary>
    /// <paramref name="text"/> as the store cuts a long piece, worked out here on its own: <see cref="MaxPieceBytes"/>
    /// UTF-8 bytes at a time from its start, each cut moved back to the first byte of a character.
    /// </summary>
    private static List<string> CutAsStored(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var pieces = new List<string>();
        for (var start = 0; start < bytes.Length;)
        {
            var end = Math.Min(start + MaxPieceBytes, bytes.Length);
            while (end < bytes.Length && (bytes[end] & 0xC0) == 0x80)
            {
                end--;
            }
            pieces.Add(Encoding.UTF8.GetString(bytes, start, end - start));
            start = end;
        }
        return pieces;
    }

    /// <summary>Each piece of <paramref name="text"/> (<see cref="CutAsStored"/>) is one row of <paramref name="bodies"/>: the text is stored once.</summary>
    private static void AssertStoredOnce(List<string> bodies, string text)
    {
        foreach (var piece in CutAsStored(text))
        {
            Assert.Single(bodies, b => b == piece);
        }
    }

    private static string Big(string seed, int bytes) => string.Concat(Enumerable.Repeat(seed, bytes / Encoding.UTF8.GetByteCount(seed) + 1));

    /// <summary>Values the store escapes or that JSON spells several ways, each in a value large enough to be shared.</summary>
    public static TheoryData<string, string> Texts => new()
    {
        { "NUL, lone surrogates and U+FFFF in strings", $$"""{"a":"{{Big("x\\u0000y\\ud800z\\uDC00\uffff\\uffff ", 9_000)}}","b":["\u0000\uFFFF"]}""" },
        { "number spellings", $$"""{"n":[{{string.Join(",", Enumerable.Repeat("1.0,1E+2,-0.0,123456789012345678901234567890,6.02214076E+23", 300))}}]}""" },
        { "key order and whitespace", $$"""{ "z" : {"y":1,"x":2} ,"a":"{{Big("log line\\n", 6_000)}}" ,"m":[ {"role":"user","content":"{{Big("hi ", 2_000)}}"} ] }""" },
        { "a bare large string", $$"""  "{{Big("plain \\\"quoted\\\" text ", 10_000)}}"  """ },
        { "pieces of every size side by side", $$"""[{{string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"{Big("p" + i, 200 * i)}\""))}}]""" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Every_shared_column_round_trips_exactly_through_the_read_API(string what, string text)
    {
        _ = what;
        var value = Parse(text);
        var raw = value.GetRawText();
        var (run, phase) = await Seed.PhaseAsync(Db);
        var prompt = Big("System\0prompt \uD800 \uFFFF é 🎉 ", 8_000);
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation
        {
            PhaseResultId = phase, AgentType = AgentType.Orchestrator, SystemPrompt = prompt, InputMessages = value,
        });
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = value, ResponseBody = value });
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion
        {
            OutputContent = value, ResponseMessages = value, ResponseBody = value, RequestBody = value,
        });
        Assert.True(await Fixture.CountAsync("run_contents", "run_id = @r", ("r", run)) > 0, "nothing was shared");

        var s = await GetAgentStepAsync(Db, step);
        var i = await GetAgentInvocationAsync(Db, invocation);
        var tree = await GetRunTreeAsync(Db, run, new RunTreeOptions { IncludeContent = true });
        var ti = tree.Phases.Single().Invocations.Single();
        var ts = ti.Steps.Single().Step;
        foreach (var json in new[]
        {
            s.RequestBody, s.ResponseBody, i.InputMessages, i.OutputContent, i.ResponseMessages, i.ResponseBody, i.RequestBody,
            ts.RequestBody, ts.ResponseBody, ti.Invocation.InputMessages, ti.Invocation.RequestBody, ti.Invocation.ResponseMessages,
        })
        {
            Assert.Equal(raw, json!.Value.GetRawText());
        }
        Assert.Equal(prompt, i.SystemPrompt);
        Assert.Equal(prompt, ti.Invocation.SystemPrompt);
        // A tree without content leaves them out, as before.
        var light = await GetRunTreeAsync(Db, run);
        Assert.Null(light.Phases.Single().Invocations.Single().Steps.Single().Step.RequestBody);
    }

    /// <summary>A tool call's raw stored column: the shared form when the value is large.</summary>
    private async Task<string> StoredToolColumnAsync(Guid toolCall, string column)
    {
        var value = (await Fixture.RowAsync("tool_calls", toolCall))[column];
        return value is string text ? text : value!.ToString()!;
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task A_tool_calls_input_and_output_round_trip_exactly_created_or_completed(string what, string text)
    {
        _ = what;
        var value = Parse(text);
        var raw = value.GetRawText();
        var (run, invocation, step) = await Seed.StepAsync(Db);
        // The output given with the create, and recorded later by CompleteToolCall.
        var created = await CreateToolCallAsync(Db, new NewToolCall
        {
            StepId = step, ToolCallId = "call_1", ToolName = "read", Input = value, Output = value, OutputType = ToolOutputType.Json,
        });
        var completed = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "call_2", ToolName = "read", Input = value });
        await CompleteToolCallAsync(Db, completed, new ToolCallCompletion { Output = value, OutputType = ToolOutputType.Json });
        foreach (var (id, column) in new[] { (created, "input"), (created, "output"), (completed, "input"), (completed, "output") })
        {
            Assert.StartsWith(SharedForm.Prefix, await StoredToolColumnAsync(id, column), StringComparison.Ordinal);
        }

        var tree = await GetRunTreeAsync(Db, run, new RunTreeOptions { IncludeContent = true });
        var inTree = tree.Phases.Single().Invocations.Single(i => i.Invocation.Id == invocation).Steps.Single().ToolCalls;
        foreach (var call in (ToolCall[])[await GetToolCallAsync(Db, created), await GetToolCallAsync(Db, completed), .. inTree])
        {
            Assert.Equal(raw, call.Input!.Value.GetRawText());
            Assert.Equal(raw, call.Output!.Value.GetRawText());
        }
        Assert.Equal(2, inTree.Count);
        // Without content the tree leaves them out, as before.
        var light = await GetRunTreeAsync(Db, run);
        Assert.All(light.Phases.Single().Invocations.Single(i => i.Invocation.Id == invocation).Steps.Single().ToolCalls, t => Assert.Null(t.Output));
    }

    [Fact]
    public async Task A_tool_output_is_stored_once_for_the_tool_call_the_steps_and_the_invocation_and_read_back_exactly_from_each()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var output = Big("     1→ public sealed class OrdersExport { /* a read file's line */ }\\n", 3_000);
        var outputJson = $"\"{output}\"";
        var input = """{"file_path":"/repo/src/Orders/OrdersExport.cs"}""";
        var content = $$$"""[{"type":"tool-call","toolCallId":"call_1","toolName":"read","input":{{{input}}}},{"type":"tool-result","toolCallId":"call_1","toolName":"read","input":{{{input}}},"output":{"type":"text","value":{{{outputJson}}}}}]""";
        var first = $$"""{"model":"m","messages":[{"role":"user","content":"Read the export."}]}""";
        var step1 = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, RequestBody = Parse(first), Content = Parse(content) });
        var toolCall = await CreateToolCallAsync(Db, new NewToolCall { StepId = step1, ToolCallId = "call_1", ToolName = "read", Input = Parse(input) });
        var toolOutput = $$"""{"type":"text","value":{{outputJson}}}""";
        await CompleteToolCallAsync(Db, toolCall, new ToolCallCompletion { Output = Parse(toolOutput), OutputType = ToolOutputType.Text });
        var later = new List<(Guid Step, string Body)>();
        for (var n = 1; n <= 3; n++)
        {
            var more = string.Concat(Enumerable.Range(1, n - 1).Select(k => $",{{\"role\":\"user\",\"content\":\"go on {k}\"}}"));
            var body = $$$"""{"model":"m","messages":[{"role":"user","content":"Read the export."},{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"read","arguments":{{{JsonSerializer.Serialize(input)}}}}}]},{"role":"tool","tool_call_id":"call_1","content":{{{outputJson}}}}{{{more}}}]}""";
            later.Add((await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(body) }), body));
        }
        var messages = $$$"""[{"role":"assistant","content":[{"type":"tool-call","toolCallId":"call_1","toolName":"read","input":{{{input}}}}]},{"role":"tool","content":[{"type":"tool-result","toolCallId":"call_1","toolName":"read","output":{"type":"text","value":{{{outputJson}}}}}]}]""";
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { ResponseMessages = Parse(messages) });

        // One row holds the output's text; the tool call's column holds only the shared form.
        var bodies = await BodiesAsync(run);
        Assert.Single(bodies, b => b == outputJson);
        Assert.DoesNotContain(bodies, b => b != outputJson && b.Contains("OrdersExport { /*", StringComparison.Ordinal));
        var stored = await StoredToolColumnAsync(toolCall, "output");
        Assert.StartsWith(SharedForm.Prefix, stored, StringComparison.Ordinal);
        Assert.True(stored.Length < 200, $"the tool call's output column holds {stored.Length} characters");

        Assert.Equal(toolOutput, (await GetToolCallAsync(Db, toolCall)).Output!.Value.GetRawText());
        Assert.Equal(content, (await GetAgentStepAsync(Db, step1)).Content!.Value.GetRawText());
        foreach (var (step, body) in later)
        {
            Assert.Equal(body, (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
        }
        Assert.Equal(messages, (await GetAgentInvocationAsync(Db, invocation)).ResponseMessages!.Value.GetRawText());
        var tree = await GetRunTreeAsync(Db, run, new RunTreeOptions { IncludeContent = true });
        var node = tree.Phases.Single().Invocations.Single();
        Assert.Equal(toolOutput, node.Steps[0].ToolCalls.Single().Output!.Value.GetRawText());
        Assert.Equal(content, node.Steps[0].Step.Content!.Value.GetRawText());
        Assert.Equal(messages, node.Invocation.ResponseMessages!.Value.GetRawText());
    }

    [Fact]
    public async Task Replays_of_a_shared_tool_call_are_no_ops_and_other_values_conflicts()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var text = $$"""{"type":"text","value":"{{Big("line of a test log\\n", 6_000)}}"}""";
        var input = Parse($$"""{"command":"dotnet test","description":"{{Big("run the tests ", 2_000)}}"}""");
        var call = new NewToolCall { Id = Guid.CreateVersion7(), StepId = step, ToolCallId = "call_1", ToolName = "bash", Input = input, Output = Parse(text), OutputType = ToolOutputType.Text };
        var id = await CreateToolCallAsync(Db, call);
        Assert.StartsWith(SharedForm.Prefix, await StoredToolColumnAsync(id, "output"), StringComparison.Ordinal);

        // The same call, from this handle and from a fresh one (which has seen none of the pieces), and spelled otherwise: no-ops.
        Assert.Equal(id, await CreateToolCallAsync(Db, call));
        Assert.Equal(id, await CreateToolCallAsync(Db, call with { Id = null, Output = Parse(text.Replace(",", " , ", StringComparison.Ordinal)) }));
        var fresh = PipelineDb.Open(Fixture.Target, Clock);
        await using (fresh)
        {
            Assert.Equal(id, await CreateToolCallAsync(fresh, call));
        }

        // Another value under the same id: a conflict naming the column; the stored value is unchanged.
        var other = Parse(text.Replace("test log", "test lag", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateToolCallAsync(Db, call with { Output = other }));
        Assert.Equal(["output"], e.DifferingColumns);
        var otherInput = Parse(input.GetRawText().Replace("run the tests", "run the testz", StringComparison.Ordinal));
        e = await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateToolCallAsync(Db, call with { Input = otherInput }));
        Assert.Equal(["input"], e.DifferingColumns);
        Assert.Equal(text, (await GetToolCallAsync(Db, id)).Output!.Value.GetRawText());

        // A result recorded later: the same again is a no-op (from a fresh handle too); another one is refused.
        var pending = await CreateToolCallAsync(Db, call with { Id = null, ToolCallId = "call_2", Output = null, OutputType = null });
        var result = new ToolCallCompletion { Output = Parse(text), OutputType = ToolOutputType.Text };
        await CompleteToolCallAsync(Db, pending, result);
        Assert.StartsWith(SharedForm.Prefix, await StoredToolColumnAsync(pending, "output"), StringComparison.Ordinal);
        await CompleteToolCallAsync(Db, pending, result);
        await CompleteToolCallAsync(Db, pending, result with { Output = Parse(text.Replace(",", " , ", StringComparison.Ordinal)) });
        fresh = PipelineDb.Open(Fixture.Target, Clock);
        await using (fresh)
        {
            await CompleteToolCallAsync(fresh, pending, result);
        }
        var refused = await Assert.ThrowsAsync<InvalidStateTransitionException>(() => CompleteToolCallAsync(Db, pending, result with { Output = other }));
        Assert.Contains("output", refused.Message, StringComparison.Ordinal);
        Assert.Equal(text, (await GetToolCallAsync(Db, pending)).Output!.Value.GetRawText());
        // The create of a call completed later is still a replay (its result is not the create's to compare).
        Assert.Equal(pending, await CreateToolCallAsync(Db, call with { Id = pending, ToolCallId = "call_2", Output = null, OutputType = null }));
    }

    [Fact]
    public async Task Small_tool_call_values_stay_literal()
    {
        var (run, _, step) = await Seed.StepAsync(Db);
        var output = Json($$"""{"type":"text","value":"{{Big("ok ", 900)}}"}""");
        var id = await CreateToolCallAsync(Db, new NewToolCall
        {
            StepId = step, ToolCallId = "call_1", ToolName = "read", Input = Json("""{"path":"src/Orders/OrdersPage.tsx"}"""), Output = output,
        });
        Assert.Equal(0, await Fixture.CountAsync("run_contents", "run_id = @r", ("r", run)));
        AssertJson(output.GetRawText(), (await Fixture.RowAsync("tool_calls", id))["output"]);
    }

    [Fact]
    public async Task Small_values_stay_literal_and_nothing_goes_to_run_contents()
    {
        var (run, invocation, _) = await Seed.StepAsync(Db);
        var body = Json("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""");
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = body });
        Assert.Equal(0, await Fixture.CountAsync("run_contents", "run_id = @r", ("r", run)));
        AssertJson(body.GetRawText(), (await Fixture.RowAsync("agent_steps", step))["request_body"]);
    }

    [Fact]
    public async Task A_value_repeated_by_many_steps_is_stored_once_and_read_back_exactly_from_each()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var prompt = Big("You are a coding agent; follow the rules below.\n", 70_000);
        var body = Parse($$"""{"model":"m","system":{{JsonSerializer.Serialize(prompt)}},"messages":[]}""");
        var steps = new List<Guid>();
        for (var n = 0; n < 20; n++)
        {
            steps.Add(await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = body }));
        }
        // The prompt is longer than a piece may be: its pieces are the run's only rows, each stored once.
        var bodies = await BodiesAsync(run);
        var pieces = CutAsStored(JsonSerializer.Serialize(prompt));
        Assert.Equal(3, pieces.Count);
        Assert.Equal(pieces.Order(StringComparer.Ordinal), bodies.Order(StringComparer.Ordinal));
        foreach (var step in steps)
        {
            Assert.Equal(body.GetRawText(), (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
        }
        // Each step's own column holds the small shared form.
        var longest = await Fixture.QueryAsync($"SELECT MAX(LENGTH(CAST(request_body AS TEXT))) AS n FROM {Fixture.T("agent_steps")} WHERE run_id = @r", ("r", run));
        Assert.True(StoreFixture.AsLong(longest[0]["n"]) < 200, $"a step's column holds {longest[0]["n"]} characters");
    }

    [Fact]
    public async Task Long_strings_plain_text_and_runs_of_small_values_are_cut_into_pieces_of_at_most_32_KB_and_read_back_exactly()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        // Characters of 1, 2, 3 and 4 bytes in a period of 13 bytes, so cuts fall inside characters of every width; an image's
        // base64; a long list of small numbers, which is literal text between pieces (a run of small values).
        var mixed = Big("aé€😀bcd ", 250_000);
        var image = Convert.ToBase64String(Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var numbers = string.Join(",", Enumerable.Range(0, 20_000));
        var request = $$$"""{"model":"m","messages":[{"role":"user","content":"{{{mixed}}}"},{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{image}}}"}}]}],"stop":[{{{numbers}}}]}""";
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, SystemPrompt = mixed });
        var steps = new List<Guid>();
        for (var n = 1; n <= 3; n++)
        {
            steps.Add(await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(request) }));
        }

        var bodies = await BodiesAsync(run);
        Assert.All(bodies, b => Assert.InRange(Encoding.UTF8.GetByteCount(b), 1, MaxPieceBytes));
        Assert.All(bodies, b => Assert.DoesNotContain('\uFFFD', b)); // no character was split
        Assert.Equal(bodies.Count, bodies.Distinct(StringComparer.Ordinal).Count());
        AssertStoredOnce(bodies, mixed); // the system prompt, plain text: cut from its start
        Assert.True(bodies.Sum(b => (long)b.Length) < 2 * (mixed.Length + image.Length + numbers.Length),
            "three steps and the system prompt stored their long texts once");
        Assert.Equal(mixed, (await GetAgentInvocationAsync(Db, invocation)).SystemPrompt);
        foreach (var step in steps)
        {
            Assert.Equal(request, (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
        }
    }

    [Fact]
    public async Task A_conversation_growing_over_50_steps_stores_each_message_once()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var loop = new AgentLoop();
        var bodies = new List<(Guid Step, string Body)>();
        for (var n = 0; n < 50; n++)
        {
            loop.Turn();
            var body = loop.RequestBody();
            bodies.Add((await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(body) }), body));
        }
        var pieces = await BodiesAsync(run);
        // Each message's text (a large leaf) is one piece, stored once whatever the number of requests that repeat it.
        foreach (var content in loop.Messages.Select(m => Parse(m).GetProperty("content").GetRawText()).Where(c => Encoding.UTF8.GetByteCount(c) >= SharedForm.MinPiece))
        {
            Assert.Single(pieces, p => p == content);
        }
        var unique = Encoding.UTF8.GetByteCount(bodies[^1].Body);
        var stored = pieces.Sum(p => (long)Encoding.UTF8.GetByteCount(p))
            + (await Fixture.QueryAsync($"SELECT request_body AS b FROM {Fixture.T("agent_steps")} WHERE run_id = @r", ("r", run)))
                .Sum(r => (long)Encoding.UTF8.GetByteCount(r["b"] is string s ? s : r["b"]!.ToString()!));
        Assert.True(stored < 2 * unique, $"{stored:N0} bytes stored for {unique:N0} unique");
        foreach (var (step, body) in bodies)
        {
            Assert.Equal(body, (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
        }
    }

    [Fact]
    public async Task A_long_conversations_blocks_are_grouped_and_every_step_reads_back_exactly()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var loop = new AgentLoop();
        var bodies = new List<(Guid Step, string Body)>();
        for (var n = 0; n < 120; n++)
        {
            loop.Turn();
            var body = loop.RequestBody();
            bodies.Add((await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(body) }), body));
        }
        // A group: a run_contents row whose parts are all references to blocks.
        var groups = (await KeyedBodiesAsync(run)).Where(r => r.Text.StartsWith("[\"@", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.All(Parse(g.Text).EnumerateArray(), p => Assert.StartsWith("@", p.GetString(), StringComparison.Ordinal)));
        // The last step's column names a group.
        var last = (string)(await Fixture.QueryAsync($"SELECT CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE id = @id", ("id", bodies[^1].Step)))[0]["b"]!;
        var named = Parse(last).GetProperty("parts").EnumerateArray().Select(p => p.GetString()!).Where(p => p[0] == '@').Select(p => p[1..]).ToList();
        Assert.Contains(named, groups.Select(g => g.Hash).ToHashSet().Contains);
        foreach (var (step, body) in bodies)
        {
            Assert.Equal(body, (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
        }
        var tree = await GetRunTreeAsync(Db, run, new RunTreeOptions { IncludeContent = true });
        Assert.Equal(bodies.Select(b => b.Body), tree.Phases.Single().Invocations.Single().Steps.Select(s => s.Step.RequestBody!.Value.GetRawText()));
        if (Fixture.Provider == PipelineProvider.PostgreSql)
        {
            var whole = await Fixture.QueryAsync("SELECT agent.shared_value(run_id, request_body::text) AS v FROM agent.agent_steps WHERE id = @id", ("id", bodies[^1].Step));
            Assert.Equal(bodies[^1].Body, (string)whole[0]["v"]!);
        }
    }

    [Fact]
    public async Task References_nested_deeper_than_the_store_writes_fail_the_read_with_invalid_data()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var loop = new AgentLoop();
        var steps = new List<Guid>();
        for (var n = 0; n < 60; n++)
        {
            loop.Turn();
            steps.Add(await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(loop.RequestBody()) }));
        }
        var group = (await KeyedBodiesAsync(run)).First(r => r.Text.StartsWith("[\"@", StringComparison.Ordinal));
        // A row naming a group names blocks three deep; a column naming that row is not a form the store writes.
        var body = $"[\"@{group.Hash}\"]";
        var key = SharedForm.Key(SharedForm.Hash(Encoding.UTF8.GetBytes(body)));
        await Fixture.QueryAsync($"INSERT INTO {Fixture.T("run_contents")} (run_id, hash, body) VALUES (@r, @h, @b)", ("r", run), ("h", key), ("b", body));
        var form = $$"""{"agentpipe:shared":1,"parts":["@{{key}}"]}""";
        await Fixture.QueryAsync($"UPDATE {Fixture.T("agent_steps")} SET request_body = {(Fixture.Provider == PipelineProvider.PostgreSql ? "CAST(@f AS json)" : "@f")} WHERE id = @id", ("f", form), ("id", steps[^1]));

        await Assert.ThrowsAsync<InvalidDataException>(() => GetAgentStepAsync(Db, steps[^1]));
        Assert.NotNull((await GetAgentStepAsync(Db, steps[^2])).RequestBody); // the others read as before
    }

    [Fact]
    public async Task Replays_are_no_ops_and_conflicts_stay_conflicts()
    {
        var (run, _, invocation) = await Seed.InvocationAsync(Db);
        var text = $$"""{"model":"m","messages":[{"role":"user","content":"{{Big("read the file ", 9_000)}}"}]}""";
        var body = Parse(text);
        var id = Guid.CreateVersion7();
        Assert.Equal(id, await CreateAgentStepAsync(Db, new NewAgentStep { Id = id, InvocationId = invocation, StepNumber = 1, RequestBody = body }));
        var rows = await Fixture.CountAsync("run_contents", "run_id = @r", ("r", run));

        // The same call again, and the same value spelled differently (same meaning): no-ops.
        Assert.Equal(id, await CreateAgentStepAsync(Db, new NewAgentStep { Id = id, InvocationId = invocation, StepNumber = 1, RequestBody = body }));
        Assert.Equal(id, await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = Parse(text.Replace(",", " , ", StringComparison.Ordinal)) }));
        var fresh = PipelineDb.Open(Fixture.Target, Clock);
        await using (fresh)
        {
            Assert.Equal(id, await CreateAgentStepAsync(fresh, new NewAgentStep { Id = id, InvocationId = invocation, StepNumber = 1, RequestBody = body }));
        }
        Assert.Equal(text, (await GetAgentStepAsync(Db, id)).RequestBody!.Value.GetRawText());

        // Another value under the same id: a conflict naming the column.
        var other = Parse(text.Replace("read the file", "read the fila", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            CreateAgentStepAsync(Db, new NewAgentStep { Id = id, InvocationId = invocation, StepNumber = 1, RequestBody = other }));
        Assert.Contains("request_body", e.DifferingColumns);
        Assert.Equal(text, (await GetAgentStepAsync(Db, id)).RequestBody!.Value.GetRawText());
        _ = rows;

        // A completion replayed is a no-op; with another large value it is refused.
        var completion = new AgentInvocationCompletion { ResponseBody = body, RequestBody = body };
        await CompleteAgentInvocationAsync(Db, invocation, completion);
        await CompleteAgentInvocationAsync(Db, invocation, completion);
        await Assert.ThrowsAsync<InvalidStateTransitionException>(() =>
            CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { ResponseBody = other, RequestBody = body }));
        Assert.Equal(text, (await GetAgentInvocationAsync(Db, invocation)).ResponseBody!.Value.GetRawText());
    }

    public static TheoryData<string> LookAlikes => new()
    {
        """{"agentpipe:shared":1,"parts":["=hello"]}""",
        """{"agentpipe:shared":1,"parts":["#00000000000000000000000000000000"]}""",
        """  {"agentpipe:shared":1,"parts":["@00000000000000000000000000000000"]}""",
        $$"""{"agentpipe:shared":1,"parts":["={{Big("x", 9_000)}}\uffff"]}""",
    };

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public async Task A_caller_value_that_looks_like_the_shared_form_round_trips(string text)
    {
        var (_, phase) = await Seed.PhaseAsync(Db);
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation
        {
            PhaseResultId = phase, AgentType = AgentType.Orchestrator, SystemPrompt = text, InputMessages = Parse(text),
        });
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = Parse(text) });
        Assert.Equal(text.Trim(), (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
        var read = await GetAgentInvocationAsync(Db, invocation);
        Assert.Equal(text, read.SystemPrompt);
        Assert.Equal(text.Trim(), read.InputMessages!.Value.GetRawText());
        // A replay of it is a no-op.
        Assert.Equal(step, await CreateAgentStepAsync(Db, new NewAgentStep { Id = step, InvocationId = invocation, StepNumber = 1, RequestBody = Parse(text) }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_writers_of_one_run_share_pieces_and_each_reads_back_exactly(bool oneHandle)
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var prompt = Big("Shared system prompt of every sub-agent.\n", 40_000);
        var tool = JsonSerializer.Serialize(new { name = "bash", description = Big("Runs a command. ", 3_000) });
        var writers = Enumerable.Range(0, 6).Select(async w =>
        {
            // One handle: its writers are group-committed together; a handle each: they race in the database.
            var own = oneHandle ? null : PipelineDb.Open(Fixture.Target, Clock);
            await using var _ = own;
            var db = own ?? Db;
            var invocation = await CreateAgentInvocationAsync(db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, SystemPrompt = prompt });
            var written = new List<(Guid, string)>();
            for (var n = 0; n < 8; n++)
            {
                var body = $$"""{"system":{{JsonSerializer.Serialize(prompt)}},"tools":[{{tool}}],"messages":[{"role":"user","content":"{{Big($"writer {w} step {n} ", 2_000)}}"}]}""";
                written.Add((await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(body) }), body));
            }
            return (invocation, written);
        }).ToList();
        var results = await Task.WhenAll(writers);
        var promptText = JsonSerializer.Serialize(prompt);
        var bodies = await BodiesAsync(run);
        AssertStoredOnce(bodies, promptText);
        AssertStoredOnce(bodies, prompt);
        foreach (var (invocation, written) in results)
        {
            Assert.Equal(prompt, (await GetAgentInvocationAsync(Db, invocation)).SystemPrompt);
            foreach (var (step, body) in written)
            {
                Assert.Equal(body, (await GetAgentStepAsync(Db, step)).RequestBody!.Value.GetRawText());
            }
        }
    }

    /// <summary>The migration before <c>SharedRunContents</c> (the same id on both providers).</summary>
    private const string BeforeSharedStorage = "20261207150100_ReadIndexes";

    [Fact]
    public async Task A_database_written_before_shared_storage_reads_back_identically_after_the_migration()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using (var context = Fixture.Provider == PipelineProvider.Sqlite
            ? (Schema.PipelineDbContext)Schema.ContextFactory.CreateSqlite($"Data Source={target}")
            : Schema.ContextFactory.CreatePostgreSql(Npgsql.NpgsqlDataSource.Create(target)))
        {
            await Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(context)
                .MigrateAsync(BeforeSharedStorage);
        }
        var loop = new AgentLoop(systemPromptBytes: 20_000);
        for (var n = 0; n < 5; n++)
        {
            loop.Turn();
        }
        var text = loop.RequestBody();
        var prompt = loop.SystemPrompt + "\0\uFFFF";
        Guid run, invocation, step;
        await using (var db = PipelineDb.Open(target, Clock))
        {
            (run, _, invocation) = await Seed.InvocationAsync(db);
            step = Guid.CreateVersion7();
            // As the previous version stored them: the literal text, with the store's escapes.
            await using var session = await db.Dialect.OpenAsync(write: true, CancellationToken.None);
            await session.ExecuteAsync(new Sql(
                "INSERT INTO {s}.agent_steps (id, run_id, invocation_id, step_number, request_body, created_at) VALUES (@id, @run, @inv, 1, @body, @at)",
                [new("id", Col.Guid), new("run", Col.Guid), new("inv", Col.Guid), new("body", Col.Json), new("at", Col.Time)]),
                [step, run, invocation, Parse(text), Clock.GetUtcNow()], CancellationToken.None);
            await session.ExecuteAsync(new Sql("UPDATE {s}.agent_invocations SET system_prompt = @p WHERE id = @id", [new("p", Col.Text), new("id", Col.Guid)]),
                [prompt, invocation], CancellationToken.None);
        }
        await using (var db = PipelineDb.Open(target, Clock))
        {
            await db.MigrateAsync();
            Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());
            Assert.Equal(text, (await GetAgentStepAsync(db, step)).RequestBody!.Value.GetRawText());
            Assert.Equal(prompt, (await GetAgentInvocationAsync(db, invocation)).SystemPrompt);
            // A replay of the old literal row is a no-op; a new step with the same body is shared, and both read back alike.
            Assert.Equal(step, await CreateAgentStepAsync(db, new NewAgentStep { Id = step, InvocationId = invocation, StepNumber = 1, RequestBody = Parse(text) }));
            var next = await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 2, RequestBody = Parse(text) });
            Assert.True(StoreFixture.AsLong(Assert.Single(await Fixture.QueryAsyncOn(target, $"SELECT COUNT(*) FROM {Fixture.T("run_contents")}"))[0]) > 0);
            var tree = await GetRunTreeAsync(db, run, new RunTreeOptions { IncludeContent = true });
            var steps = tree.Phases.Single().Invocations.Single().Steps;
            Assert.Equal([text, text], steps.Select(s => s.Step.RequestBody!.Value.GetRawText()));
            Assert.Equal(prompt, tree.Phases.Single().Invocations.Single().Invocation.SystemPrompt);
            Assert.Equal(text, (await GetAgentStepAsync(db, next)).RequestBody!.Value.GetRawText());
        }
    }

    /// <summary>
    /// Forms and <c>run_contents</c> keys as the previous version spelled them (each hash as 32 hex digits; now 22
    /// base64url characters): the run's shared values rewritten in place, blocks hashed again over their new bodies.
    /// </summary>
    private async Task SpellHashesInHexAsync(PipelineDb db, Guid run)
    {
        static string Hex(string key) => SharedForm.Key(SharedForm.ParseKey(Encoding.ASCII.GetBytes(key)), hex: true);
        static string Rewrite(string json, bool form, Func<string, IEnumerable<string>> block)
        {
            using var doc = JsonDocument.Parse(json);
            var parts = form ? doc.RootElement.GetProperty("parts") : doc.RootElement;
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, SharedForm.WriterOptions))
            {
                if (form)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("agentpipe:shared", 1);
                    writer.WriteStartArray("parts");
                }
                else
                {
                    writer.WriteStartArray();
                }
                foreach (var part in parts.EnumerateArray().Select(p => p.GetString()!))
                {
                    foreach (var spelled in part[0] switch { '#' => ["#" + Hex(part[1..])], '@' => block(part[1..]).Select(b => "@" + b), _ => [part] })
                    {
                        writer.WriteStringValue(spelled);
                    }
                }
                writer.WriteEndArray();
                if (form)
                {
                    writer.WriteEndObject();
                }
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        var rows = (await Fixture.QueryAsync($"SELECT hash, body FROM {Fixture.T("run_contents")} WHERE run_id = @r", ("r", run)))
            .ToDictionary(r => (string)r["hash"]!, r => r["body"] is byte[] { Length: > 0 } b && b[0] == 2 ? Encoding.UTF8.GetString(PackedPiece.Unpack(b)) : r["body"]!); // text, or (SQLite) a packed piece's BLOB, kept as it is; a packed block as its text
        Assert.All(rows.Keys, k => Assert.Equal(SharedForm.KeyLength, k.Length));
        var blocks = new Dictionary<string, string>();
        // The previous version wrote no groups (blocks of blocks): a group named by a form is spelled as its blocks.
        IEnumerable<string> Blocks(string key) =>
            JsonDocument.Parse((string)rows[key]).RootElement.EnumerateArray().Select(p => p.GetString()!).ToList() is var parts && parts.All(p => p[0] == '@')
                ? parts.Select(p => Block(p[1..]))
                : [Block(key)];
        string Block(string key)
        {
            if (!blocks.TryGetValue(key, out var hex))
            {
                var body = Rewrite((string)rows[key], form: false, _ => throw new InvalidDataException("a block within a block"));
                hex = SharedForm.Key(SharedForm.Hash(Encoding.UTF8.GetBytes(body)), hex: true);
                rows.Add(hex, body);
                blocks[key] = hex;
            }
            return hex;
        }
        var steps = await Fixture.QueryAsync($"SELECT id, CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE run_id = @r", ("r", run));
        var prompts = await Fixture.QueryAsync($"SELECT id, system_prompt AS b FROM {Fixture.T("agent_invocations")} WHERE run_id = @r", ("r", run));
        await using var session = await db.Dialect.OpenAsync(write: true, CancellationToken.None);
        foreach (var (table, column, type, values) in new[] { ("agent_steps", "request_body", Col.Json, steps), ("agent_invocations", "system_prompt", Col.Text, prompts) })
        {
            foreach (var row in values.Where(r => SharedForm.IsShared((string?)r["b"])))
            {
                var form = Rewrite((string)row["b"]!, form: true, Blocks);
                await session.ExecuteAsync(new Sql($"UPDATE {{s}}.{table} SET {column} = @v WHERE id = @id", [new("v", type), new("id", Col.Guid)]),
                    [new StoredText(form), StoreFixture.AsGuid(row["id"])], CancellationToken.None);
            }
        }
        foreach (var (key, body) in rows.Where(r => r.Key.Length == SharedForm.KeyLength && !blocks.ContainsKey(r.Key)).ToList())
        {
            rows.Add(Hex(key), body);
        }
        await session.ExecuteAsync(new Sql("DELETE FROM {s}.run_contents WHERE run_id = @r", [new("r", Col.Guid)]), [run], CancellationToken.None);
        foreach (var (key, body) in rows.Where(r => r.Key.Length == SharedForm.HexKeyLength))
        {
            await session.ExecuteAsync(new Sql("INSERT INTO {s}.run_contents (run_id, hash, body) VALUES (@r, @h, @b)", [new("r", Col.Guid), new("h", Col.Text), new("b", Col.Text)]),
                [run, key, body is string text ? new StoredText(text) : body], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Forms_and_pieces_with_hashes_spelled_in_hex_by_the_previous_version_read_back_identically()
    {
        var (run, phase) = await Seed.PhaseAsync(Db);
        var loop = new AgentLoop(systemPromptBytes: 20_000);
        var prompt = loop.SystemPrompt + "\0\uFFFF";
        var invocation = await CreateAgentInvocationAsync(Db, new NewAgentInvocation { PhaseResultId = phase, AgentType = AgentType.Coder, SystemPrompt = prompt });
        var texts = new List<string>();
        var steps = new List<Guid>();
        for (var n = 0; n < 40; n++)
        {
            loop.Turn();
            texts.Add(loop.RequestBody());
            steps.Add(await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(texts[^1]) }));
        }
        await SpellHashesInHexAsync(Db, run);
        var hexForm = (string)(await Fixture.QueryAsync($"SELECT CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE id = @id", ("id", steps[^1])))[0]["b"]!;
        Assert.Contains("\"@", hexForm, StringComparison.Ordinal);
        Assert.Matches("\"[#@][0-9a-f]{32}\"", hexForm);
        if (Fixture.Provider == PipelineProvider.PostgreSql)
        {
            // Raw SQL follows either spelling: agent.shared_value compares the reference's text with the row's key.
            var whole = await Fixture.QueryAsync("SELECT agent.shared_value(run_id, request_body::text) AS v FROM agent.agent_steps WHERE id = @id", ("id", steps[^1]));
            Assert.Equal(Parse(texts[^1]).GetRawText(), Parse((string)whole[0]["v"]!).GetRawText());
        }

        // A new handle (nothing known): each step, the tree and the prompt read back exactly; a replay is a no-op and
        // another value a conflict; the loop goes on in the new spelling in the same run, and both read back alike.
        var db = Fixture.Open(Clock);
        for (var n = 0; n < steps.Count; n++)
        {
            Assert.Equal(texts[n], (await GetAgentStepAsync(db, steps[n])).RequestBody!.Value.GetRawText());
        }
        Assert.Equal(prompt, (await GetAgentInvocationAsync(db, invocation)).SystemPrompt);
        Assert.Equal(steps[^1], await CreateAgentStepAsync(db, new NewAgentStep { Id = steps[^1], InvocationId = invocation, StepNumber = steps.Count - 1, RequestBody = Parse(texts[^1]) }));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => CreateAgentStepAsync(db, new NewAgentStep { Id = steps[^1], InvocationId = invocation, StepNumber = steps.Count - 1, RequestBody = Parse(texts[^2]) }));
        for (int n = steps.Count, end = n + 5; n < end; n++)
        {
            loop.Turn();
            texts.Add(loop.RequestBody());
            steps.Add(await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = n, RequestBody = Parse(texts[^1]) }));
        }
        var newForm = (string)(await Fixture.QueryAsync($"SELECT CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE id = @id", ("id", steps[^1])))[0]["b"]!;
        Assert.DoesNotMatch("\"[#@][0-9a-f]{32}\"", newForm);
        var tree = await GetRunTreeAsync(db, run, new RunTreeOptions { IncludeContent = true });
        Assert.Equal(texts, tree.Phases.Single().Invocations.Single().Steps.Select(s => s.Step.RequestBody!.Value.GetRawText()));
        Assert.Equal(prompt, tree.Phases.Single().Invocations.Single().Invocation.SystemPrompt);
        Assert.Equal(texts[^1], (await GetAgentStepAsync(db, steps[^1])).RequestBody!.Value.GetRawText());
        Assert.Equal(texts[39], (await GetAgentStepAsync(db, steps[39])).RequestBody!.Value.GetRawText());
    }

    /// <summary>The default redactor's rules behind a custom redactor: the store then takes its ordinary path for every value.</summary>
    private sealed class DefaultRulesAsCustom : ISecretRedactor
    {
        private readonly DefaultSecretRedactor _rules = new();

        public JsonElement Redact(JsonElement value, RedactionContext context) => _rules.Redact(value, context);
    }

    /// <summary>A random message as a provider SDK writes it: text of many sizes, now and then a secret, a secret's name, an escape.</summary>
    private static string Message(Random random, int n)
    {
        // Now and then a message longer than a piece may be (32 KB), cut into pieces on both paths alike.
        var size = random.Next(9) switch
        {
            0 or 1 => random.Next(20, 300), 2 or 3 => random.Next(300, 1_200), 4 or 5 => random.Next(1_000, 4_000), 8 => random.Next(33_000, 70_000),
            _ => random.Next(4_000, 12_000),
        };
        var text = new StringBuilder();
        while (text.Length < size)
        {
            text.Append(random.Next(12) switch
            {
                0 => $"Authorization: Bearer sk-{Key(random)} ",
                1 => $"export OPENAI_API_KEY=sk-proj-{Key(random)}\\n",
                2 => "caf\u00e9 \\u00e9 \\\\u0000 \\\"quoted\\\" ",
                3 => $"line {n}:{text.Length}\\n",
                _ => $"word{random.Next(1000)} of message {n}, ",
            });
        }
        var extra = random.Next(10) switch
        {
            0 => $",\"password\":\"hunter{random.Next(100)}\"",
            1 => $",\"headers\":{{\"x-api-key\":\"k-{Key(random)}\"}}",
            2 => ""","tool_calls":[{"id":"call_1","type":"function","function":{"name":"read","arguments":"{\"path\":\"a.txt\"}"}}]""",
            _ => "",
        };
        return $$"""{"role":"{{(n % 2 == 0 ? "user" : "assistant")}}","content":"{{text}}"{{extra}}}""";
    }

    private static string Key(Random random) => string.Concat(Enumerable.Range(0, 40).Select(_ => "abcdefghijkLMNOPQRSTuvwxyz0123456789"[random.Next(36)]));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_step_that_reuses_the_previous_steps_work_is_stored_exactly_as_the_ordinary_path_stores_it(int seed)
    {
        // Db takes the shortcut (the default redactor); the other handle, whose redactor is custom, never does.
        var options = new PipelineDbOptions().UseTarget(Fixture.Target);
        options.SecretRedaction.CustomRedactor = new DefaultRulesAsCustom();
        await using var ordinary = PipelineDb.Open(options);
        var (_, _, fast) = await Seed.InvocationAsync(Db);
        var (_, _, slow) = await Seed.InvocationAsync(ordinary);
        var random = new Random(seed);
        var messages = new List<string> { $$"""{"role":"system","content":"{{Big("You are a careful agent. ", 70_000)}}"}""" };
        var tools = Enumerable.Range(0, 6).Select(i => $$$"""{"type":"function","function":{"name":"tool_{{{i}}}","description":"{{{Big($"Tool {i} does one thing. ", 1_500)}}}"}}""").ToList();
        for (var n = 1; n <= 40; n++)
        {
            // Mostly appends; now and then an edit, an insertion or a deletion in the middle, a change at the end of the
            // last message (a secret completed across what the previous step had), another tool list, other spacing.
            switch (random.Next(10))
            {
                case 0 when messages.Count > 2:
                    messages[random.Next(1, messages.Count)] = Message(random, n);
                    break;
                case 1 when messages.Count > 2:
                    messages.Insert(random.Next(1, messages.Count), Message(random, n));
                    break;
                case 2 when messages.Count > 3:
                    messages.RemoveAt(random.Next(1, messages.Count));
                    break;
                case 3 when messages[^1].EndsWith("\"}", StringComparison.Ordinal):
                    messages[^1] = messages[^1][..^2] + $" Bearer {Key(random)}" + messages[^1][^2..];
                    break;
                case 4:
                    tools[random.Next(tools.Count)] = $$$"""{"type":"function","function":{"name":"t{{{n}}}","description":"{{{Big($"changed {n} ", 1_200)}}}"}}""";
                    break;
            }
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                messages.Add(Message(random, n));
            }
            var comma = random.Next(5) == 0 ? ", " : ",";
            var text = $$"""{"model":"gpt-4.1","max_completion_tokens":8192,"messages":[{{string.Join(comma, messages)}}],"tools":[{{string.Join(",", tools)}}],"stream":false}""";
            var body = Parse(text);
            var a = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = fast, StepNumber = n, RequestBody = body });
            var b = await CreateAgentStepAsync(ordinary, new NewAgentStep { InvocationId = slow, StepNumber = n, RequestBody = body });
            var sql = $"SELECT CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE id = @id";
            var storedFast = (string)(await Fixture.QueryAsync(sql, ("id", a)))[0]["b"]!;
            var storedSlow = (string)(await Fixture.QueryAsync(sql, ("id", b)))[0]["b"]!;
            Assert.StartsWith(SharedForm.Prefix, storedFast, StringComparison.Ordinal);
            Assert.Equal(storedSlow, storedFast);
            var expected = (await GetAgentStepAsync(ordinary, b)).RequestBody!.Value.GetRawText();
            Assert.Equal(expected, (await GetAgentStepAsync(Db, a)).RequestBody!.Value.GetRawText());
            Assert.DoesNotContain("sk-proj-", expected, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter", expected, StringComparison.Ordinal);
            if (n % 10 == 0)
            {
                // A replay is a no-op and another request for the same step a conflict (compared by meaning, redacted).
                Assert.Equal(a, await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = fast, StepNumber = n, RequestBody = body }));
                var other = Parse(text.Replace("\"stream\":false", "\"stream\":true", StringComparison.Ordinal));
                var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
                    CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = fast, StepNumber = n, RequestBody = other }));
                Assert.Contains("request_body", e.DifferingColumns);
            }
        }
        // The comparison is about the shortcut: it was taken, and reused earlier steps' work.
        Assert.True(Db.Writes.Contents.PreparedValues >= 30, $"{Db.Writes.Contents.PreparedValues} steps prepared");
        Assert.True(Db.Writes.Contents.ReusedUnits >= 500, $"{Db.Writes.Contents.ReusedUnits} units reused");
        Assert.Equal(0, ordinary.Writes.Contents.PreparedValues);
    }

    [Fact]
    public async Task Messages_alike_at_their_start_middle_and_end_and_many_dropped_ones_are_stored_exactly()
    {
        // The handle finds a remembered message by its length and its bytes at three places, then compares it whole:
        // here half the messages of each request are alike at those places (they differ only in their number), the
        // others are new at every step, so the handle's memory fills with units no longer used and is pruned.
        var options = new PipelineDbOptions().UseTarget(Fixture.Target);
        options.SecretRedaction.CustomRedactor = new DefaultRulesAsCustom();
        await using var ordinary = PipelineDb.Open(options);
        var (_, _, fast) = await Seed.InvocationAsync(Db);
        var (_, _, slow) = await Seed.InvocationAsync(ordinary);
        var kept = Enumerable.Range(0, 50).Select(i => $$"""{"role":"user","content":"kept {{i:D6}} {{new string('k', 80)}}"}""").ToList();
        for (var n = 0; n < 12; n++)
        {
            var fresh = Enumerable.Range(0, 400).Select(i => i % 2 == 0
                ? $$"""{"role":"user","content":"{{n * 1000 + i:D6}}{{new string('z', 60)}}"}"""
                : $$"""{"role":"user","content":"{{n * 1000 + i:D6}}{{new string('z', 60)}}{{n * 1000 + i:D6}}"}""");
            var text = $$"""{"model":"m","messages":[{{string.Join(",", kept.Concat(fresh))}}]}""";
            var body = Parse(text);
            var a = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = fast, StepNumber = n, RequestBody = body });
            var b = await CreateAgentStepAsync(ordinary, new NewAgentStep { InvocationId = slow, StepNumber = n, RequestBody = body });
            var sql = $"SELECT CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE id = @id";
            Assert.Equal((string)(await Fixture.QueryAsync(sql, ("id", b)))[0]["b"]!, (string)(await Fixture.QueryAsync(sql, ("id", a)))[0]["b"]!);
            Assert.Equal(text, (await GetAgentStepAsync(Db, a)).RequestBody!.Value.GetRawText());
        }
        Assert.Equal(12, Db.Writes.Contents.PreparedValues);
    }

    [Fact]
    public async Task Units_alike_at_their_start_middle_and_end_are_each_reused_at_every_step_and_stored_exactly()
    {
        // The first property changes at every step, so no unit is where the previous request had the same bytes: each one
        // is looked up by its length and its bytes at three places. Pairs of messages share those (they differ only in a
        // word between them), six messages share one key, one message is there twice: all are reused at every step. Twenty
        // more share another key, more than are compared before a unit is made anew: they may be made again. Whichever,
        // the stored column is the ordinary path's.
        var options = new PipelineDbOptions().UseTarget(Fixture.Target);
        options.SecretRedaction.CustomRedactor = new DefaultRulesAsCustom();
        await using var ordinary = PipelineDb.Open(options);
        var (_, _, fast) = await Seed.InvocationAsync(Db);
        var (_, _, slow) = await Seed.InvocationAsync(ordinary);
        static string Alike(string role, char fill, int size, string word) =>
            $$"""{"role":"{{role}}","content":"{{new string(fill, size)}} {{word}} {{new string(fill, size)}}"}""";
        var kept = Enumerable.Range(0, 40).Select(i => Alike("user", 'x', 300 + i / 2, $"{(i % 2 == 0 ? "left" : "ryte")}{i:D4}"))
            .Concat(Enumerable.Range(0, 6).Select(i => Alike("tool", 'y', 280, $"same{i:D4}")))
            .ToList();
        kept.Add(kept[3]);
        var many = Enumerable.Range(0, 20).Select(i => Alike("tool", 'z', 270, $"many{i:D4}")).ToList();
        const int steps = 8;
        for (var n = 0; n < steps; n++)
        {
            // Now and then the maximum gains or loses a digit: the previous request's bytes then end inside a number.
            var text = $$"""{"step":{{n}},"model":"m","max_tokens":{{(n % 3 == 1 ? 819 : 8192)}},"messages":[{{string.Join(",", kept.Concat(many))}}]}""";
            var body = Parse(text);
            var a = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = fast, StepNumber = n, RequestBody = body });
            var b = await CreateAgentStepAsync(ordinary, new NewAgentStep { InvocationId = slow, StepNumber = n, RequestBody = body });
            var sql = $"SELECT CAST(request_body AS TEXT) AS b FROM {Fixture.T("agent_steps")} WHERE id = @id";
            Assert.Equal((string)(await Fixture.QueryAsync(sql, ("id", b)))[0]["b"]!, (string)(await Fixture.QueryAsync(sql, ("id", a)))[0]["b"]!);
            Assert.Equal(text, (await GetAgentStepAsync(Db, a)).RequestBody!.Value.GetRawText());
        }
        Assert.Equal(steps, Db.Writes.Contents.PreparedValues);
        // After the first step every unit but the step number is reused: the model, each of the kept messages, and the
        // maximum from the third step on (819 and 8192 have both been seen); of the twenty, any number.
        var reused = (steps - 1) * (1 + kept.Count) + (steps - 2);
        Assert.InRange(Db.Writes.Contents.ReusedUnits, reused, reused + (steps - 1) * many.Count);
    }

    [Fact]
    public async Task Content_is_shared_within_a_run_only()
    {
        var body = Parse($$"""{"system":"{{Big("same in both runs ", 20_000)}}"}""");
        var (runA, _, a) = await Seed.InvocationAsync(Db);
        var (runB, _, b) = await Seed.InvocationAsync(Db);
        var stepA = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = a, StepNumber = 1, RequestBody = body });
        var stepB = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = b, StepNumber = 1, RequestBody = body });
        Assert.Equal(await Fixture.CountAsync("run_contents", "run_id = @r", ("r", runA)), await Fixture.CountAsync("run_contents", "run_id = @r", ("r", runB)));
        Assert.True(await Fixture.CountAsync("run_contents", "run_id = @r", ("r", runB)) > 0);
        Assert.Equal(body.GetRawText(), (await GetAgentStepAsync(Db, stepA)).RequestBody!.Value.GetRawText());
        Assert.Equal(body.GetRawText(), (await GetAgentStepAsync(Db, stepB)).RequestBody!.Value.GetRawText());
    }
}

public sealed class SqliteSharedStorageTests(SqliteFixture f) : SharedStorageTests<SqliteFixture>(f);
public sealed class PostgreSqlSharedStorageTests(PostgreSqlFixture f) : SharedStorageTests<PostgreSqlFixture>(f);
