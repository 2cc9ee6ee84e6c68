using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Sqlite;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>
/// On SQLite, writes and the memory read call SQLite's C functions directly on the handles
/// Microsoft.Data.Sqlite opened (<see cref="SqliteNative"/>). These tests pin what that path must
/// keep: the same library copy, values exact at the stack-buffer boundary, errors that leave the
/// kept statement usable, no reading of a row after its statement moved on, and the wrapper path
/// that takes over when the direct calls are not available.
/// </summary>
public sealed class SqliteDirectCallsTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task The_direct_calls_use_the_very_sqlite_copy_microsoft_data_sqlite_uses()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseSqlite(fixture.Target));
        await Seed.RunAsync(db); // a connection exists, so the provider is set

        Assert.True(SqliteNative.Available, SqliteNative.Unavailable);
        Assert.True(((SqliteDialect)db.Dialect).DirectCalls);
    }

    public static TheoryData<string, int> BoundaryTexts()
    {
        // Up to 340 UTF-16 units the UTF-8 copy is made on the stack, beyond it in a pooled array.
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "ascii", "2-byte", "3-byte", "4-byte" })
        {
            foreach (var length in new[] { 1, 339, 340, 341, 342, 1025, 40_000 })
            {
                data.Add(name, length);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BoundaryTexts))]
    public async Task Text_of_every_size_around_the_stack_buffer_comes_back_exactly(string kind, int units)
    {
        var unit = kind switch { "ascii" => "a", "2-byte" => "é", "3-byte" => "€", _ => "😀" };
        var text = string.Concat(Enumerable.Repeat(unit, units / unit.Length + 1))[..units];
        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            text = text[..^1] + "z"; // keep it valid UTF-16 (lone surrogates have their own tests)
        }
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseSqlite(fixture.Target));
        var (run, phase) = await Seed.PhaseAsync(db);

        var id = await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = text });
        var replay = await CreateMemoryRecordAsync(db, new NewMemoryRecord { Id = id, PhaseResultId = phase, Kind = MemoryKind.Insight, Content = text });

        Assert.Equal(id, replay); // the replay compared the stored text with this one: equal
        var record = Assert.Single(await GetMemoryRecordsAsync(db, run));
        Assert.Equal(text.Length, record.Content.Length);
        Assert.True(text == record.Content, $"{kind} × {units} changed on the way");
    }

    [Fact]
    public async Task A_stored_id_that_is_not_a_uuid_fails_the_read_naming_it_and_the_statement_is_reset()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseSqlite(fixture.Target));
        var (run, phase) = await Seed.PhaseAsync(db);
        var id = await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Insight, Content = "x" });
        await SetAsync("UPDATE memory_records SET id = 'not-a-uuid' WHERE id = @id", id.ToString("D"));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GetMemoryRecordsAsync(db, run));
        Assert.Contains("'not-a-uuid'", e.Message, StringComparison.Ordinal);

        await SetAsync("UPDATE memory_records SET id = @id WHERE id = 'not-a-uuid'", id.ToString("D"));
        Assert.Equal(id, Assert.Single(await GetMemoryRecordsAsync(db, run)).Id);
    }

    [Fact]
    public async Task A_null_is_refused_and_a_row_kept_past_its_read_cannot_be_read()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseSqlite(fixture.Target));
        await Seed.RunAsync(db);
        var query = new Sql("SELECT NULL AS a, 'b' AS b", [], [new Param("a", Col.Text), new Param("b", Col.Text)]);
        Row? kept = null;

        await using (var session = await db.Dialect.OpenAsync(write: false, CancellationToken.None))
        {
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => session.ReadAsync(query, [], r => r.Text(0), CancellationToken.None));
            Assert.Contains("Column 0 is NULL", e.Message, StringComparison.Ordinal);

            var values = await session.ReadAsync(query, [], r => { kept = r; return r.Text(1); }, CancellationToken.None);
            Assert.Equal(["b"], values);
        }

        Assert.Throws<ObjectDisposedException>(() => kept!.Text(1));
    }

    [Fact]
    public async Task Integers_read_from_their_column_text_whole_and_a_non_integer_is_refused()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseSqlite(fixture.Target));
        await Seed.RunAsync(db);
        var query = new Sql("SELECT 42, -9223372036854775808, 9223372036854775807, 0, '12x'", [],
            [new Param("a", Col.Long), new Param("b", Col.Long), new Param("c", Col.Long), new Param("d", Col.Long), new Param("e", Col.Long)]);

        await using var session = await db.Dialect.OpenAsync(write: false, CancellationToken.None);
        var values = await session.ReadAsync(query, [], r => (r.Long(0), r.Long(1), r.Long(2), r.Long(3)), CancellationToken.None);
        Assert.Equal([(42L, long.MinValue, long.MaxValue, 0L)], values);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => session.ReadAsync(query, [], r => r.Long(4), CancellationToken.None));
        Assert.Contains("'12x' in column 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_released_to_the_pool_refuses_further_statements()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions().UseSqlite(fixture.Target));
        var (run, _) = await Seed.PhaseAsync(db);
        var query = new Sql("SELECT id FROM {s}.feature_runs WHERE id = @id", [new Param("id", Col.Guid)], [new Param("id", Col.Guid)]);
        var session = await db.Dialect.OpenAsync(write: false, CancellationToken.None);
        Assert.Equal([run], await session.ReadAsync(query, [run], r => r.Guid(0), CancellationToken.None));

        await session.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.ReadAsync(query, [run], r => r.Guid(0), CancellationToken.None));
    }

    [Fact]
    public async Task Without_the_direct_calls_every_write_and_the_read_go_through_the_wrappers_alike()
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions { SqliteDirectCalls = false }.UseSqlite(fixture.Target));
        Assert.False(((SqliteDialect)db.Dialect).DirectCalls);
        var (run, phase, invocation) = await Seed.InvocationAsync(db);

        var steps = await Task.WhenAll(Enumerable.Range(0, 8).Select(n =>
            CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = n })));
        var calls = await Task.WhenAll(steps.SelectMany(step => Enumerable.Range(0, 2).Select(n =>
            CreateToolCallAsync(db, new NewToolCall { StepId = step, ToolCallId = $"t{n}", ToolName = "read" }))));
        var replay = await CreateToolCallAsync(db, new NewToolCall { Id = calls[0], StepId = steps[0], ToolCallId = "t0", ToolName = "read" });
        var conflict = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            CreateToolCallAsync(db, new NewToolCall { Id = calls[0], StepId = steps[0], ToolCallId = "t0", ToolName = "bash" }));
        var notes = new List<Guid>();
        foreach (var content in new[] { "first", "second \0 with a NUL", "third 😀" })
        {
            notes.Add(await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Constraint, Content = content }));
        }

        Assert.Equal(calls[0], replay);
        Assert.Contains("tool_name", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(8, await fixture.CountAsync("agent_steps", "invocation_id = @i", ("i", invocation)));
        Assert.Equal(16, await fixture.CountAsync("tool_calls", "invocation_id = @i", ("i", invocation)));
        var records = await GetMemoryRecordsAsync(db, run);
        Assert.Equal(notes, records.Select(r => r.Id));
        Assert.Equal(["first", "second \0 with a NUL", "third 😀"], records.Select(r => r.Content));
        Assert.All(records, r => Assert.Equal(MemoryKind.Constraint, r.Kind));
    }

    private async Task SetAsync(string sql, string id)
    {
        await using var raw = fixture.OpenRawConnection();
        await using var command = raw.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new SqliteParameter("@id", id));
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
