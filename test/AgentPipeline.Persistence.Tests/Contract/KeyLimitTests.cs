using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// Ids a caller supplies (sandbox, snapshot, SDK tool call ids) are bounded the same way on both
/// providers: at most 1,024 characters and 2,048 UTF-8 bytes, refused before any I/O (PostgreSQL
/// would otherwise fail a 3 KB id with 54000, index row too large, where SQLite stores it).
/// Required text that is only whitespace is missing.
/// </summary>
public abstract class KeyLimitTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private static readonly string ThreeKb = new('k', 3 * 1024);
    private static readonly string ThreeKbOfEuros = new('€', 1000); // 1,000 characters, 3,000 UTF-8 bytes
    private static readonly string NulEscaped = new('\0', 700);     // 700 characters, stored escaped: 2,800 bytes

    public static TheoryData<string, string> Cases => new()
    {
        { "data.Id", "sandbox-id" },
        { "data.Id", "sandbox-id-euros" },
        { "data.Id", "sandbox-id-nul" },
        { "data.SourceSnapshotId", "sandbox-source-snapshot" },
        { "sandboxId", "sandbox-status" },
        { "data.Id", "snapshot-id" },
        { "data.SandboxId", "snapshot-sandbox" },
        { "data.SandboxId", "run-sandbox" },
        { "data.ToolCallId", "tool-call-id" },
        { "data.ToolCallId", "tool-call-id-euros" },
        { "data.ToolCallId", "cta-tool-call-id" },
        { "data.Prompt", "run-whitespace-prompt" },
        { "data.ToolName", "tool-whitespace-name" },
        { "data.ToolCallId", "tool-whitespace-id" },
        { "data.Id", "sandbox-whitespace-id" },
        { "data.Content", "memory-whitespace" },
        { "sandboxId", "sandbox-status-whitespace" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_key_over_the_limit_or_required_text_of_only_whitespace_is_refused_naming_the_field_and_nothing_is_written(string field, string @case)
    {
        var (run, phase, invocation, step, sandbox) = await Seed.ParentsAsync(Db);
        var before = await Fixture.TotalRowsAsync();

        Func<Task> call = @case switch
        {
            "sandbox-id" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = ThreeKb }),
            "sandbox-id-euros" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = ThreeKbOfEuros }),
            "sandbox-id-nul" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = NulEscaped }),
            "sandbox-source-snapshot" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox + "_2", SourceSnapshotId = ThreeKb }),
            "sandbox-status" => () => UpdateSandboxStatusAsync(Db, ThreeKb, SandboxStatus.Running),
            "snapshot-id" => () => CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = ThreeKb, SandboxId = sandbox }),
            "snapshot-sandbox" => () => CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap_" + sandbox, SandboxId = ThreeKb }),
            "run-sandbox" => () => CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "p", SandboxId = ThreeKb }),
            "tool-call-id" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = ThreeKb, ToolName = "read" }),
            "tool-call-id-euros" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = ThreeKbOfEuros, ToolName = "read" }),
            "cta-tool-call-id" => () => CreateCtaEventAsync(Db, new NewCtaEvent { RunId = run, Kind = CtaKind.Approval, RequestMessage = "m", ToolCallId = ThreeKb }),
            "run-whitespace-prompt" => () => CreateFeatureRunAsync(Db, new NewFeatureRun { Prompt = "   " }),
            "tool-whitespace-name" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "t", ToolName = " " }),
            "tool-whitespace-id" => () => CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = "\t\n", ToolName = "read" }),
            "sandbox-whitespace-id" => () => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = "  " }),
            "memory-whitespace" => () => CreateMemoryRecordAsync(Db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = " \u00A0 " }),
            "sandbox-status-whitespace" => () => UpdateSandboxStatusAsync(Db, " ", SandboxStatus.Running),
            _ => throw new InvalidOperationException(@case),
        };

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(call);

        Assert.Equal(field, e.ParamName);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Fixture.TotalRowsAsync());
        Assert.Equal("pending", (await Fixture.RowAsync("sandboxes", sandbox))["status"]);
    }

    [Fact]
    public async Task Keys_at_the_limit_are_stored_and_read_back_whole_on_both_providers()
    {
        var (_, _, step) = await Seed.StepAsync(Db);
        var longest = new string('s', 1024);
        var widest = new string('€', 682); // 2,046 UTF-8 bytes

        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = longest, SourceSnapshotId = widest });
        await CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = widest, SandboxId = longest });
        await UpdateSandboxStatusAsync(Db, longest, SandboxStatus.Running);
        var call = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = longest, ToolName = "read" });
        var again = await CreateToolCallAsync(Db, new NewToolCall { StepId = step, ToolCallId = longest, ToolName = "read" });

        Assert.Equal(call, again);
        Assert.Equal("running", (await Fixture.RowAsync("sandboxes", longest))["status"]);
        Assert.Equal(widest, (await Fixture.RowAsync("sandboxes", longest))["source_snapshot_id"]);
        Assert.Equal(longest, (await Fixture.RowAsync("sandbox_snapshots", widest))["sandbox_id"]);
        Assert.Equal(longest, (await Fixture.RowAsync("tool_calls", call))["tool_call_id"]);
    }

    [Fact]
    public async Task One_character_over_the_limit_is_refused()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = new string('s', 1025) }));

        Assert.Equal("data.Id", e.ParamName);
        Assert.Contains("1,024", e.Message, StringComparison.Ordinal);
    }
}

public sealed class SqliteKeyLimitTests(SqliteFixture f) : KeyLimitTests<SqliteFixture>(f);
public sealed class PostgreSqlKeyLimitTests(PostgreSqlFixture f) : KeyLimitTests<PostgreSqlFixture>(f);
