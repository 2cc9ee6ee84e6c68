using System.Text;
using System.Text.Json;
using AgentPipeline.Persistence.Benchmarks.Storage;

namespace AgentPipeline.Persistence.Tests.Workloads;

/// <summary>
/// The agent-loop workload of the storage benchmark (<c>bench … --op storage</c>, docs/storage.md),
/// compiled here from the benchmark's own files, measures what it claims: the same seed gives the
/// same bytes; every request body is JSON in the provider's shape whose message list grows by
/// appending (each request is the previous one's messages plus the new ones, as an agent loop sends
/// them); the fixed part is about 70 KB; tool outputs range from a few hundred bytes to tens of KB,
/// with an occasional image; invocations of one agent type in a whole run share their system prompt
/// and tools byte for byte. No database: the generator alone.
/// </summary>
public sealed class AgentLoopWorkloadTests
{
    private const int Seed = StorageOptions.DefaultSeed;

    public static TheoryData<string> Shapes => new() { "openai", "anthropic" };

    private static ILoopShape Shape(string name) => name == "anthropic" ? new AnthropicMessagesShape() : new OpenAiChatShape();

    private static AgentLoop Loop(string shape, int steps, int seed = Seed) =>
        new(AgentKit.For("coder", seed), Shape(shape), "Add CSV export to the orders page.", steps, seed);

    /// <summary>Every value a step stores, as one list of texts.</summary>
    private static List<string> Texts(AgentLoop loop) =>
    [
        .. loop.Steps().SelectMany(s => new[] { s.RequestBody, s.ResponseBody, s.ResponseHeaders, s.Content, s.Turn.Text ?? "" }
            .Concat(s.Turn.Calls.SelectMany(c => new[] { c.Id, c.Name, c.ArgumentsJson, c.Output }))),
        loop.ResponseMessages,
        loop.InputMessages,
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(string shape)
    {
        var first = Texts(Loop(shape, 40));
        var again = Texts(Loop(shape, 40));
        var other = Texts(Loop(shape, 40, Seed + 1));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_request_is_json_in_the_provider_shape_and_its_messages_grow_by_appending(string shape)
    {
        var loop = Loop(shape, 60);
        string[] previous = [];
        var steps = 0;
        foreach (var step in loop.Steps())
        {
            using var request = JsonDocument.Parse(step.RequestBody);
            var root = request.RootElement;
            Assert.Equal(shape == "anthropic" ? "claude-sonnet-4-5" : "gpt-4.1", root.GetProperty("model").GetString());
            Assert.Equal(22, root.GetProperty("tools").GetArrayLength());
            if (shape == "anthropic")
            {
                Assert.Equal(loop.Kit.SystemPrompt, root.GetProperty("system")[0].GetProperty("text").GetString());
            }
            string[] messages = [.. root.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText())];
            Assert.Equal(step.MessageCount, messages.Length);
            Assert.True(messages.Length > previous.Length, $"step {step.StepNumber}: {messages.Length} messages after {previous.Length}");
            Assert.Equal(previous, messages[..previous.Length]);
            var first = JsonDocument.Parse(messages[0]).RootElement;
            Assert.Equal(shape == "anthropic" ? "user" : "system", first.GetProperty("role").GetString());
            previous = messages;

            using var response = JsonDocument.Parse(step.ResponseBody);
            using var headers = JsonDocument.Parse(step.ResponseHeaders);
            using var content = JsonDocument.Parse(step.Content);
            Assert.Equal(step.Turn.Calls.Count * 2 + (step.Turn.Text is null ? 0 : 1), content.RootElement.GetArrayLength());
            foreach (var call in step.Turn.Calls)
            {
                Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(call.ArgumentsJson).RootElement.ValueKind);
            }
            Assert.Equal(step.StepNumber == 59, step.Turn.Final);
            steps++;
        }
        Assert.Equal(60, steps);
        // The last turn's assistant message is appended too: the loop's conversation is the last request's plus it.
        Assert.Equal(previous, loop.Messages.Take(previous.Length));
        Assert.Equal(previous.Length + 1, loop.Messages.Count);
        using var responseMessages = JsonDocument.Parse(loop.ResponseMessages);
        Assert.True(responseMessages.RootElement.GetArrayLength() >= 60);
    }

    [Fact]
    public void The_fixed_part_is_about_70_KB_and_tool_outputs_and_images_have_a_coding_agents_sizes()
    {
        var loop = Loop("openai", 60);
        var outputs = new List<int>();
        var requests = new List<string>();
        foreach (var step in loop.Steps())
        {
            outputs.AddRange(step.Turn.Calls.Select(c => Encoding.UTF8.GetByteCount(c.Output)));
            requests.Add(step.RequestBody);
        }
        var fixedPart = Encoding.UTF8.GetByteCount(loop.Kit.SystemPrompt) + loop.ToolDefinitions.Sum(Encoding.UTF8.GetByteCount);
        Assert.InRange(fixedPart, 60_000, 80_000);
        Assert.InRange(outputs.Min(), 1, 1_000);
        Assert.InRange(outputs.Max(), 10_000, 40_000);
        // One screenshot by step 24, sent again with every later request.
        var images = loop.Messages.Where(m => m.Contains("data:image/png;base64,", StringComparison.Ordinal)).ToList();
        Assert.Single(images);
        Assert.InRange(Encoding.UTF8.GetByteCount(images[0]), 100_000, 1_100_000);
        Assert.Contains(images[0], requests[^1], StringComparison.Ordinal);
        // Unique content: the system prompt, the tools and every message once: the last request's content and the final answer,
        // far less than the requests' sum.
        var unique = loop.UniqueTexts().Distinct().Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        var literal = requests.Sum(r => (long)Encoding.UTF8.GetByteCount(r));
        Assert.InRange(unique, fixedPart + 60 * 1_000, Encoding.UTF8.GetByteCount(requests[^1]) + Encoding.UTF8.GetByteCount(loop.Messages[^1]));
        Assert.True(literal > 10 * unique, $"{literal} bytes of requests against {unique} unique");
    }

    [Fact]
    public void A_whole_run_shares_each_agent_types_system_prompt_and_tools_across_its_invocations()
    {
        var plan = WholeRun.Plan(new OpenAiChatShape(), Seed, quick: true);
        var again = WholeRun.Plan(new OpenAiChatShape(), Seed, quick: true);

        Assert.True(plan.Count >= 10, $"{plan.Count} invocations");
        Assert.Contains(plan, p => p.Parent >= 0 && plan[p.Parent].Type == AgentType.Orchestrator);
        foreach (var group in plan.GroupBy(p => p.Type))
        {
            Assert.Single(group.Select(p => p.Loop.Kit.SystemPrompt).Distinct());
        }
        Assert.Equal(plan.Select(p => p.Type).Distinct().Count(), plan.Select(p => p.Loop.Kit.SystemPrompt).Distinct().Count());
        Assert.Single(plan.Select(p => string.Join(",", p.Loop.ToolDefinitions)).Distinct());
        Assert.Equal(plan.Select(p => p.Loop.Steps().Last().RequestBody), again.Select(p => p.Loop.Steps().Last().RequestBody));
    }
}
