using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// Inputs as callers really send them: instants with a local offset (api.md rule 7) and 64-bit
/// token counts (data-model.md: token counts are 64-bit integers).
/// </summary>
public abstract class InputShapeTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    // 10:30 in Berlin in summer and 03:30 in New York in winter: both are 08:30 UTC.
    private static readonly DateTimeOffset Berlin = new(2026, 7, 1, 10, 30, 15, 123, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset NewYork = new(2026, 7, 1, 3, 30, 15, 123, TimeSpan.FromHours(-5));
    private static readonly DateTimeOffset SameInstantUtc = new(2026, 7, 1, 8, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public async Task Instants_with_any_offset_are_accepted_and_read_back_as_the_same_instant_in_utc()
    {
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, RequestedAt = Berlin });
        await CreateSnapshotRecordAsync(Db, new NewSnapshotRecord { Id = "snap_" + sandbox, SandboxId = sandbox, ExpiresAt = NewYork });
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, ResponseTimestamp = Berlin });
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { ResponseTimestamp = NewYork });

        foreach (var (table, id, column) in new (string, object, string)[]
        {
            ("sandboxes", sandbox, "requested_at"), ("sandbox_snapshots", "snap_" + sandbox, "expires_at"),
            ("agent_steps", step, "response_timestamp"), ("agent_invocations", invocation, "response_timestamp"),
        })
        {
            var stored = (await Fixture.RowAsync(table, id))[column];
            var instant = AsTime(stored);
            Assert.Equal(SameInstantUtc, instant);
            Assert.Equal(TimeSpan.Zero, instant!.Value.Offset);
            if (stored is string text)
            {
                Assert.Equal("2026-07-01T08:30:15.123000Z", text); // SQLite: the UTC form, never the caller's local time
            }
        }
    }

    [Fact]
    public async Task The_same_instant_given_in_another_offset_is_a_replay_and_a_different_instant_is_not()
    {
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, RequestedAt = Berlin });

        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, RequestedAt = NewYork });
        await CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, RequestedAt = SameInstantUtc });
        var e = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, RequestedAt = Berlin.AddHours(1) }));

        Assert.Contains("requested_at", e.Message, StringComparison.Ordinal);
        Assert.Equal(SameInstantUtc, AsTime((await Fixture.RowAsync("sandboxes", sandbox))["requested_at"]));
    }

    [Fact]
    public async Task Default_instant_is_still_refused_naming_the_field()
    {
        var sandbox = "sbx_" + Guid.NewGuid().ToString("N");
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            CreateSandboxRecordAsync(Db, new NewSandboxRecord { Id = sandbox, RequestedAt = default(DateTimeOffset) }));

        Assert.Equal("data.RequestedAt", e.ParamName);
        Assert.Equal(0, await Fixture.CountAsync("sandboxes", "id = @id", ("id", sandbox)));
    }

    private const long Huge = int.MaxValue + 10_000_000_000L;

    private static TokenUsage HugeUsage(long start) => new()
    {
        InputTokens = start, OutputTokens = start + 1, TotalTokens = start + 2, InputNoCacheTokens = start + 3,
        InputCacheReadTokens = start + 4, InputCacheWriteTokens = start + 5, OutputTextTokens = start + 6, OutputReasoningTokens = start + 7,
    };

    private static readonly string[] TokenColumns =
    [
        "input_tokens", "output_tokens", "total_tokens", "input_tokens_no_cache_tokens", "input_tokens_cache_read_tokens",
        "input_tokens_cache_write_tokens", "output_tokens_text_tokens", "output_tokens_reasoning_tokens",
    ];

    [Fact]
    public async Task Token_counts_above_int_max_round_trip_in_all_eight_columns_of_steps_and_invocations()
    {
        var (_, invocation, _) = await Seed.StepAsync(Db);
        var step = await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Usage = HugeUsage(Huge) });
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { Usage = HugeUsage(long.MaxValue - 7) });

        var stepRow = await Fixture.RowAsync("agent_steps", step);
        var invocationRow = await Fixture.RowAsync("agent_invocations", invocation);
        for (var i = 0; i < TokenColumns.Length; i++)
        {
            Assert.Equal(Huge + i, AsLong(stepRow[TokenColumns[i]]));
            Assert.Equal(long.MaxValue - 7 + i, AsLong(invocationRow[TokenColumns[i]]));
        }

        // A replay compares the 64-bit values: the same is a no-op, one token more is a conflict.
        Assert.Equal(step, await CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Usage = HugeUsage(Huge) }));
        await CompleteAgentInvocationAsync(Db, invocation, new AgentInvocationCompletion { Usage = HugeUsage(long.MaxValue - 7) });
        await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            CreateAgentStepAsync(Db, new NewAgentStep { InvocationId = invocation, StepNumber = 1, Usage = HugeUsage(Huge) with { TotalTokens = Huge + 3 } }));
    }

    [Fact]
    public async Task Migrating_a_database_of_the_previous_schema_keeps_its_token_counts_and_then_takes_64_bit_ones()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using (var db = PipelineDb.Open(target, Clock))
        {
            var known = db.GetKnownMigrations().ToList();
            var previous = known[known.FindIndex(m => m.EndsWith("_TokenCounts64Bit", StringComparison.Ordinal)) - 1];
            await MigrateToAsync(target, previous);
            Assert.DoesNotContain(await db.GetAppliedMigrationsAsync(), m => m.EndsWith("_TokenCounts64Bit", StringComparison.Ordinal));
        }
        Guid before;
        await using (var db = PipelineDb.Open(target, Clock))
        {
            (_, _, before) = await Seed.InvocationAsync(db);
            await CompleteAgentInvocationAsync(db, before, new AgentInvocationCompletion { Usage = HugeUsage(int.MaxValue - 7) });

            await db.MigrateAsync();

            var (_, _, after) = await Seed.InvocationAsync(db);
            await CompleteAgentInvocationAsync(db, after, new AgentInvocationCompletion { Usage = HugeUsage(Huge) });
            await using var raw = Fixture.OpenRawConnection(target);
            await using var command = raw.CreateCommand();
            command.CommandText = $"SELECT total_tokens FROM {Fixture.T("agent_invocations")} ORDER BY total_tokens";
            var totals = new List<long>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    totals.Add(reader.GetInt64(0));
                }
            }
            Assert.Equal([int.MaxValue - 5L, Huge + 2], totals);
        }
    }

    private async Task MigrateToAsync(string target, string migration)
    {
        if (Fixture.Provider == PipelineProvider.PostgreSql)
        {
            await using var source = Npgsql.NpgsqlDataSource.Create(target);
            await using var context = AgentPipeline.Persistence.Schema.ContextFactory.CreatePostgreSql(source);
            await Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(context).MigrateAsync(migration);
        }
        else
        {
            await using var context = AgentPipeline.Persistence.Schema.ContextFactory.CreateSqlite($"Data Source={target}");
            await Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(context).MigrateAsync(migration);
        }
    }

    [Fact]
    public async Task Token_columns_are_64_bit_in_the_schema()
    {
        foreach (var table in new[] { "agent_invocations", "agent_steps" })
        {
            foreach (var column in TokenColumns)
            {
                var type = Fixture.Provider == PipelineProvider.PostgreSql
                    ? (await Fixture.QueryAsync(
                        "SELECT data_type AS t FROM information_schema.columns WHERE table_schema = 'agent' AND table_name = @t AND column_name = @c",
                        ("t", table), ("c", column)))[0]["t"]
                    : (await Fixture.QueryAsync($"SELECT type AS t FROM pragma_table_info('{table}') WHERE name = @c", ("c", column)))[0]["t"];
                Assert.Equal(Fixture.Provider == PipelineProvider.PostgreSql ? "bigint" : "INTEGER", type);
            }
        }
    }
}

public sealed class SqliteInputShapeTests(SqliteFixture f) : InputShapeTests<SqliteFixture>(f);
public sealed class PostgreSqlInputShapeTests(PostgreSqlFixture f) : InputShapeTests<PostgreSqlFixture>(f);
