using System.Text.Json;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Xunit.Abstractions;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Robustness;

/// <summary>Runs alone, so the process-wide allocation counter measures only these calls.</summary>
[CollectionDefinition(nameof(LargePayloadCollection), DisableParallelization = true)]
public sealed class LargePayloadCollection;

/// <summary>
/// 1 MB, 10 MB and 100 MB tool outputs and response bodies are stored and read back exactly, and
/// storing or reading one allocates no more than a few times its size.
/// </summary>
public abstract class LargePayloadTests<TFixture>(TFixture fixture, ITestOutputHelper output) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    /// <summary>Bytes allocated per payload byte, at most, to store it and to read it back.</summary>
    public const double MaxAllocationFactor = 6;

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public async Task A_large_tool_output_and_response_body_round_trip_with_bounded_allocation(int megabytes)
    {
        var (_, invocation, step) = await Seed.StepAsync(Db);
        var size = megabytes * 1_000_000;
        // Mostly ASCII with some multi-byte text and escapes, like a real build log.
        var line = "PASS src/orders/export.test.ts (4.2 s) ✓ exports CSV with \"quoted\" fields\t→ ok\n";
        var text = string.Concat(Enumerable.Repeat(line, size / System.Text.Encoding.UTF8.GetByteCount(line) + 1));
        var payload = JsonSerializer.SerializeToElement(new { stdout = text, exitCode = 0 });
        var payloadBytes = payload.GetRawText().Length;
        text = null;

        var before = Allocated();
        var tool = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "big", ToolName = "bash", Output = payload });
        var stepId = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseBody = payload });
        var storeFactor = (Allocated() - before) / 2.0 / payloadBytes;

        before = Allocated();
        // Read back through the public API, each row whole.
        var output = (await GetToolCallAsync(Db, tool)).Output!.Value;
        var body = (await GetAgentStepAsync(Db, stepId)).ResponseBody!.Value;
        var readFactor = (Allocated() - before) / 2.0 / payloadBytes;

        output.ToString();
        OutputHelper.WriteLine($"{Fixture.Provider} {megabytes} MB: store {storeFactor:F2}x, read {readFactor:F2}x of {payloadBytes:N0} bytes");
        Assert.True(JsonElement.DeepEquals(payload, output));
        Assert.True(JsonElement.DeepEquals(payload, body));
        Assert.Equal(payloadBytes, output.GetRawText().Length);
        Assert.True(storeFactor <= MaxAllocationFactor, $"storing allocated {storeFactor:F2}x the payload");
        Assert.True(readFactor <= MaxAllocationFactor, $"reading allocated {readFactor:F2}x the payload");
    }

    private ITestOutputHelper OutputHelper { get; } = output;

    private static long Allocated() => GC.GetTotalAllocatedBytes(precise: true);
}

[Collection(nameof(LargePayloadCollection))]
public sealed class SqliteLargePayloadTests(SqliteFixture f, ITestOutputHelper o) : LargePayloadTests<SqliteFixture>(f, o);

[Collection(nameof(LargePayloadCollection))]
public sealed class PostgreSqlLargePayloadTests(PostgreSqlFixture f, ITestOutputHelper o) : LargePayloadTests<PostgreSqlFixture>(f, o);
