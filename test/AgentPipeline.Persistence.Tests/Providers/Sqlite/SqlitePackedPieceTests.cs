using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgentPipeline.Persistence.Internal.Content;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>
/// SQLite stores a piece of a shared value LZ4-packed, as a BLOB, when that saves at least an eighth, and
/// a block's parts in binary (<see cref="PackedPiece"/>, docs/storage.md); what does not pack stays text,
/// as do the pieces and blocks an earlier version wrote. Every read gives back the text, whichever way it is stored,
/// through the direct calls and through the wrappers alike.
/// </summary>
public sealed class SqlitePackedPieceTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private static string Log(int lines) => string.Concat(Enumerable.Range(0, lines).Select(i => $"{i,5}: PASS tests/orders/export_{i % 37}.cs ({i % 11} ms)\\n"));

    private static string Incompressible(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes * 3 / 4));

    private static string Request(params string[] contents) =>
        $$"""{"model":"m","messages":[{{string.Join(",", contents.Select(c => $$"""{"role":"tool","tool_call_id":"c","content":"{{c}}"}"""))}}],"tools":[]}""";

    private async Task<List<(string Hash, string Type, string Text)>> RowsAsync(Guid run) =>
        [.. (await fixture.QueryAsync("SELECT hash, typeof(body) AS t, body FROM run_contents WHERE run_id = @r", ("r", run)))
            .Select(r => ((string)r["hash"]!, (string)r["t"]!, r["body"] is byte[] packed ? Encoding.UTF8.GetString(PackedPiece.Unpack(packed)) : (string)r["body"]!))];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pieces_and_blocks_that_pack_are_blobs_the_rest_text_and_every_read_is_exact(bool directCalls)
    {
        await using var db = PipelineDb.Open(new PipelineDbOptions { SqliteDirectCalls = directCalls }.UseSqlite(fixture.Target));
        var (run, _, invocation) = await Seed.InvocationAsync(db);
        var log = Log(400);
        var random = Incompressible(20_000);
        // Twelve more messages of a few hundred bytes: the messages close a block before the tools.
        var text = Request([log, random, "é 🎉 \\u0000 \\ud800 " + Log(30), .. Enumerable.Range(0, 12).Select(i => $"message {i} " + Log(8))]);
        var step = await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, RequestBody = Seed.Json(text) });

        var rows = await RowsAsync(run);
        Assert.Contains(rows, r => r.Type == "blob" && r.Text == $"\"{log}\"");
        Assert.Contains(rows, r => r.Type == "blob" && r.Text == $"\"{random}\""); // base64: stored as the bytes it encodes
        Assert.Contains(rows, r => r.Text.StartsWith("[\"", StringComparison.Ordinal)); // a block
        Assert.Contains(rows, r => r.Type == "blob" && r.Text.StartsWith("[\"", StringComparison.Ordinal)); // its parts listed in binary
        Assert.Equal(text, (await GetAgentStepAsync(db, step)).RequestBody!.Value.GetRawText());
        var tree = await GetRunTreeAsync(db, run, new RunTreeOptions { IncludeContent = true });
        Assert.Equal(text, tree.Phases.Single().Invocations.Single().Steps.Single().Step.RequestBody!.Value.GetRawText());
    }

    [Fact]
    public async Task Pieces_an_earlier_version_stored_as_text_read_back_beside_packed_ones_and_are_not_stored_again()
    {
        await using var db = PipelineDb.Open(fixture.Target);
        var (run, _, invocation) = await Seed.InvocationAsync(db);
        var first = Request(Log(300));
        var step0 = await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, RequestBody = Seed.Json(first) });
        // As an earlier version stored it: every body as text.
        foreach (var (hash, type, body) in await RowsAsync(run))
        {
            if (type == "blob")
            {
                await fixture.QueryAsync("UPDATE run_contents SET body = @b WHERE run_id = @r AND hash = @h", ("b", body), ("r", run), ("h", hash));
            }
        }
        Assert.DoesNotContain(await RowsAsync(run), r => r.Type == "blob");

        var second = Request(Log(300), Log(200) + "more");
        await using (var fresh = PipelineDb.Open(fixture.Target))
        {
            var step1 = await CreateAgentStepAsync(fresh, new NewAgentStep { InvocationId = invocation, StepNumber = 1, RequestBody = Seed.Json(second) });
            Assert.Equal(second, (await GetAgentStepAsync(fresh, step1)).RequestBody!.Value.GetRawText());
        }
        Assert.Equal(first, (await GetAgentStepAsync(db, step0)).RequestBody!.Value.GetRawText());
        var rows = await RowsAsync(run);
        Assert.Single(rows, r => r.Text == $"\"{Log(300)}\"" && r.Type == "text"); // kept as it was, not stored again
        Assert.Single(rows, r => r.Text == $"\"{Log(200)}more\"" && r.Type == "blob");
    }

    [Theory]
    [InlineData("X'03000100004142'")] // another format
    [InlineData("X'0223414243'")] // a block whose reference is cut short
    [InlineData("X'023DFFFFFF7F41'")] // a block whose literal gives a length it cannot hold
    [InlineData("X'03FFFFFF7F0000000041'")] // base64 whose text before it gives a length it cannot hold
    [InlineData("X'01'")] // no length
    [InlineData("X'01FFFFFF7F00'")] // a length the bytes cannot hold
    [InlineData("X'0110000000F0'")] // a length the block does not give
    public async Task A_damaged_packed_piece_fails_the_read_with_invalid_data(string blob)
    {
        await using var db = PipelineDb.Open(fixture.Target);
        var (run, _, invocation) = await Seed.InvocationAsync(db);
        var step = await CreateAgentStepAsync(db, new NewAgentStep { InvocationId = invocation, StepNumber = 0, RequestBody = Seed.Json(Request(Log(300))) });
        var packed = Assert.Single(await RowsAsync(run), r => r.Type == "blob");
        await fixture.QueryAsync($"UPDATE run_contents SET body = {blob} WHERE run_id = @r AND hash = @h", ("r", run), ("h", packed.Hash));

        await Assert.ThrowsAsync<InvalidDataException>(() => GetAgentStepAsync(db, step));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(4_096)]
    [InlineData(1 << 20)]
    public void Packing_round_trips_and_keeps_only_what_saves_an_eighth(int bytes)
    {
        var text = Encoding.UTF8.GetBytes(Log(bytes / 40 + 1))[..bytes];
        var packed = PackedPiece.Pack(text);
        Assert.NotNull(packed);
        Assert.True(packed.Length <= bytes - bytes / 8, $"{packed.Length} bytes for {bytes}");
        Assert.Equal(text, PackedPiece.Unpack(packed));

        Assert.Null(PackedPiece.Pack(Encoding.ASCII.GetBytes(Unpackable(bytes))));
    }

    // Random characters outside base64's alphabet: nothing for LZ4 to repeat, no base64 to decode.
    private static string Unpackable(int bytes) => string.Concat(RandomNumberGenerator.GetBytes(bytes).Select(b => "!#$%&()*,-.:;<>?@[]^_`{|}~"[b % 26]));

    public static TheoryData<string, bool> Base64Texts() => new()
    {
        { $"\"data:image/png;base64,{Incompressible(60_000)}\"", true },
        { $"\"{Incompressible(30_000)}\"", true },
        { $"\"{Incompressible(30_000)[..^4]}QR==\"", false }, // padding bits not zero: not what encoding the bytes gives
        { $"\"{Incompressible(30_000).Replace("/", "\\/", StringComparison.Ordinal)}\"", false }, // '/' escaped: no long run
        { $"{{\"a\":\"{Incompressible(3_000)}\",\"b\":\"{Incompressible(3_000)}\"}}", false }, // the longest run under half of it
    };

    [Theory]
    [MemberData(nameof(Base64Texts))]
    public void Base64_packs_to_the_bytes_it_encodes_only_when_it_gives_back_the_very_text(string text, bool asBytes)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var packed = PackedPiece.Pack(utf8);
        if (asBytes)
        {
            Assert.NotNull(packed);
            Assert.Equal(3, packed[0]);
            Assert.True(packed.Length < utf8.Length * 0.76, $"{packed.Length} bytes for {utf8.Length}");
        }
        else
        {
            Assert.True(packed is null || packed[0] != 3);
        }
        if (packed is not null)
        {
            Assert.Equal(utf8, PackedPiece.Unpack(packed));
        }
    }
}
