using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// The read side of shared storage: values read in their shared form are collected
/// (<see cref="Need(string?)"/>), the run's groups, blocks and pieces they name are read by key, a level
/// at a time (<see cref="LoadAsync"/>), and each value is then given back exactly as the caller wrote it
/// (<see cref="Json"/>, <see cref="Text"/>). A value not in the shared form (a small one, or one
/// stored before shared storage existed) passes through unchanged.
/// </summary>
/// <remarks>
/// Every byte read (the pieces' bodies as the database hands them out, the literal parts unescaped
/// from the forms) goes into one pooled buffer (<see cref="Arena"/>); parts are slices of it and
/// hashes are numbers, so a read makes no string or array per part. A value is then copied once
/// into a pooled buffer of its exact length and parsed from there once (a value of one piece is
/// parsed where it lies); <see cref="Dispose"/> gives the buffers back.
/// </remarks>
internal sealed class SharedReads : IDisposable
{
    private static readonly Param[] Results = [new("hash", Col.Text), new("body", Col.Text)];

    private static readonly Sql WholeRun = new("SELECT hash, body FROM {s}.run_contents WHERE run_id = @run_id", [new("run_id", Col.Guid)], Results);

    // Rows by key (@keys: a JSON array of keys, each spelled as its reference spells it), each found in the
    // primary key's index. Block bodies are parsed on the client (on SQLite they may be packed), which then
    // asks for what they name (LoadAsync), so the database neither parses JSON bodies nor removes duplicates.
    private static readonly Sql SqliteByKey = new(
        "SELECT hash, body FROM {s}.run_contents WHERE run_id = @run_id AND hash IN (SELECT value FROM json_each(@keys))",
        [new("run_id", Col.Guid), new("keys", Col.Text)], Results);

    // PostgreSQL: the subquery's LIMIT keeps it a probe of the primary key per key: the planner would otherwise
    // turn the join into a hash join over every row of the run.
    internal static readonly Sql PostgreSqlByKey = new(
        "SELECT c.hash, c.body FROM json_array_elements_text(CAST(@keys AS json)) k(key) " +
        "CROSS JOIN LATERAL (SELECT hash, body FROM {s}.run_contents WHERE run_id = @run_id AND hash = k.key LIMIT 1) c",
        [new("run_id", Col.Guid), new("keys", Col.Text)], Results);

    private readonly Arena _arena = new();
    private readonly Dictionary<string, Part[]?> _forms = new(StringComparer.Ordinal);
    private readonly Dictionary<UInt128, Slice> _bodies = [];
    private readonly Dictionary<UInt128, Part[]> _blocks = [];

    public bool Any => _forms.Count > 0;

    public void Need(string? value)
    {
        if (SharedForm.IsShared(value))
        {
            _forms.TryAdd(value!, null);
        }
    }

    public void Need(JsonElement? value)
    {
        if (SharedForm.IsShared(value))
        {
            _forms.TryAdd(value!.Value.GetRawText(), null);
        }
    }

    /// <summary>Reads the pieces the collected values name: all of the run's at once (<paramref name="wholeRun"/>, for a tree), else the blocks and pieces they name, by hash.</summary>
    public async Task LoadAsync(Session session, Guid runId, bool wholeRun, CancellationToken cancellationToken)
    {
        if (_forms.Count == 0)
        {
            return;
        }
        // Each named as its form spells it (a reference names the row whose key is spelled alike).
        var refs = new HashSet<(UInt128, bool)>();
        var blocks = new HashSet<(UInt128, bool)>();
        foreach (var form in _forms.Keys.ToList())
        {
            Unread(_forms[form] ??= Parts(Encoding.UTF8.GetBytes(form), form: true), refs, blocks);
        }
        if (wholeRun)
        {
            await FetchAsync(session, WholeRun, [runId], cancellationToken).ConfigureAwait(false);
            return;
        }
        // Groups name blocks and blocks name pieces: each round reads what the rows read before it name and no row
        // read has given yet.
        var byKey = session.DialectKind == PipelineProvider.PostgreSql ? PostgreSqlByKey : SqliteByKey;
        for (var depth = 0; refs.Count > 0; depth++)
        {
            if (depth > SharedForm.MaxDepth)
            {
                throw new InvalidDataException("A shared value's references nest deeper than the store writes them.");
            }
            await FetchAsync(session, byKey, [runId, KeyList(refs)], cancellationToken).ConfigureAwait(false);
            var named = blocks;
            refs = [];
            blocks = [];
            foreach (var (block, _) in named)
            {
                if (_bodies.ContainsKey(block)) // a missing one: putting the value together says so
                {
                    Unread(Block(block), refs, blocks);
                }
            }
        }
    }

    /// <summary>Adds the references among <paramref name="parts"/> whose rows are not read yet (and the blocks among them).</summary>
    private void Unread(Part[] parts, HashSet<(UInt128, bool)> refs, HashSet<(UInt128, bool)> blocks)
    {
        foreach (var part in parts)
        {
            if (part.Kind != Kind.Literal && !_bodies.ContainsKey(part.Hash))
            {
                refs.Add((part.Hash, part.Hex));
                if (part.Kind == Kind.Block)
                {
                    blocks.Add((part.Hash, part.Hex));
                }
            }
        }
    }

    /// <summary>A JSON column's value as the caller wrote it.</summary>
    public JsonElement? Json(JsonElement? value)
    {
        if (!SharedForm.IsShared(value))
        {
            return value;
        }
        using var text = Assemble(value!.Value.GetRawText());
        return DbJson.ParseCopy(text.Memory);
    }

    /// <summary>A text column's value as the caller wrote it.</summary>
    public string? Text(string? value)
    {
        if (!SharedForm.IsShared(value))
        {
            return value;
        }
        using var text = Assemble(value!);
        return DbText.Decode(text.Memory.Span);
    }

    /// <summary>A value read as a row's stored column (<see cref="Dialect.FromDb"/>) resolved the same way.</summary>
    public object? Value(object? value) => value switch
    {
        JsonElement json => Json(json),
        string text => Text(text),
        _ => value,
    };

    public void Dispose() => _arena.Dispose();

    private static string KeyList(IEnumerable<(UInt128 Hash, bool Hex)> hashes)
    {
        var sb = new StringBuilder("[");
        foreach (var (hash, hex) in hashes)
        {
            sb.Append(sb.Length > 1 ? ",\"" : "\"").Append(SharedForm.Key(hash, hex)).Append('"');
        }
        return sb.Append(']').ToString();
    }

    private async Task FetchAsync(Session session, Sql sql, object?[] args, CancellationToken cancellationToken)
    {
        var hash = new ArrayBufferWriter<byte>(64);
        await session.ReadStreamingAsync(sql, args, r =>
        {
            hash.ResetWrittenCount();
            r.CopyStoredUtf8(0, hash);
            var key = SharedForm.ParseKey(hash.WrittenSpan);
            if (!_bodies.ContainsKey(key))
            {
                r.CopyPiece(1, _arena);
                _bodies[key] = _arena.Last;
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The parts of a form (<paramref name="form"/>: <c>{"agentpipe:shared":1,"parts":[…]}</c>) or of a
    /// block (a JSON array of parts): literals unescaped into the arena, references as numbers.
    /// </summary>
    private Part[] Parts(ReadOnlyMemory<byte> json, bool form)
    {
        var reader = new Utf8JsonReader(json.Span);
        var parts = new List<Part>();
        if (form)
        {
            while (reader.Read() && !(reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("parts"u8)))
            {
            }
        }
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidDataException("A shared value's parts are not a JSON array.");
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new InvalidDataException("A part of a shared value is not a JSON string.");
            }
            // Unescaped into the arena (never longer than its escaped text); kept only when literal.
            var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            var span = _arena.GetSpan(length);
            var written = reader.CopyString(span);
            if (written == 0)
            {
                throw new InvalidDataException("A part of a shared value is empty.");
            }
            switch (span[0])
            {
                case (byte)'=':
                    _arena.Advance(written);
                    parts.Add(new Part(Kind.Literal, default, _arena.Last with { Offset = _arena.Last.Offset + 1, Length = written - 1 }));
                    break;
                case (byte)'#':
                case (byte)'@':
                    // A hash in either spelling (SharedForm.Key); the row is named as the part spells it.
                    var hash = SharedForm.ParseKey(span[1..written]);
                    parts.Add(new Part(span[0] == (byte)'#' ? Kind.Piece : Kind.Block, hash, default, written - 1 == SharedForm.HexKeyLength));
                    break;
                default:
                    throw new InvalidDataException($"'{(char)span[0]}' does not start a part of a shared {(form ? "value" : "block")}.");
            }
        }
        return [.. parts];
    }

    private Slice Body(UInt128 hash) => _bodies.TryGetValue(hash, out var body) ? body
        : throw new InvalidDataException($"The stored content {SharedForm.Key(hash)} a shared value refers to is missing from run_contents.");

    /// <summary>A block's (or a group's) parts, parsed from its body the first time they are asked for.</summary>
    private Part[] Block(UInt128 hash)
    {
        if (_blocks.TryGetValue(hash, out var parts))
        {
            return parts;
        }
        return _blocks[hash] = Parts(_arena.Memory(Body(hash)), form: false);
    }

    /// <summary>The value's stored text (UTF-8): its parts in order, blocks expanded, in a pooled buffer (a value of one piece: the piece itself).</summary>
    private Assembled Assemble(string form)
    {
        var parts = _forms.TryGetValue(form, out var known) && known is not null ? known : Parts(Encoding.UTF8.GetBytes(form), form: true);
        if (parts is [{ Kind: Kind.Piece } single])
        {
            return new Assembled(_arena.Memory(Body(single.Hash)), null);
        }
        var length = Length(parts, 0);
        var buffer = ArrayPool<byte>.Shared.Rent(checked((int)length));
        var at = CopyAll(parts, buffer, 0, 0);
        return new Assembled(buffer.AsMemory(0, at), buffer);
    }

    // depth: that of the list the parts are in (the column's: 0); a block's parts are one deeper, at most MaxDepth.
    private long Length(Part[] parts, int depth)
    {
        var length = 0L;
        foreach (var part in parts)
        {
            length += part.Kind == Kind.Block ? Length(Block(Deeper(part, depth)), depth + 1) : SliceOf(part).Length;
        }
        return length;
    }

    private int CopyAll(Part[] parts, byte[] buffer, int at, int depth)
    {
        foreach (var part in parts)
        {
            at = part.Kind == Kind.Block ? CopyAll(Block(Deeper(part, depth)), buffer, at, depth + 1) : at + Copy(part, buffer, at);
        }
        return at;
    }

    private static UInt128 Deeper(Part block, int depth) => depth < SharedForm.MaxDepth ? block.Hash
        : throw new InvalidDataException("A shared value's references nest deeper than the store writes them.");

    private Slice SliceOf(Part part) => part.Kind == Kind.Literal ? part.Literal : Body(part.Hash);

    private int Copy(Part part, byte[] buffer, int at)
    {
        var source = _arena.Memory(SliceOf(part)).Span;
        source.CopyTo(buffer.AsSpan(at));
        return source.Length;
    }

    private enum Kind : byte
    {
        Literal,
        Piece,
        Block,
    }

    /// <summary>A part: literal text (a slice of the arena), or the hash of a piece or a block (<paramref name="Hex"/>: spelled in hex, as earlier versions wrote it).</summary>
    private readonly record struct Part(Kind Kind, UInt128 Hash, Slice Literal, bool Hex = false);

    /// <summary>Bytes in the arena: chunk, offset, length.</summary>
    private readonly record struct Slice(int Chunk, int Offset, int Length);

    /// <summary>A value's stored text, in a pooled buffer given back on dispose (null: a slice of the arena).</summary>
    private readonly struct Assembled(ReadOnlyMemory<byte> memory, byte[]? pooled) : IDisposable
    {
        public ReadOnlyMemory<byte> Memory { get; } = memory;

        public void Dispose()
        {
            if (pooled is not null)
            {
                ArrayPool<byte>.Shared.Return(pooled);
            }
        }
    }

    /// <summary>
    /// Append-only pooled buffers: each write (one <see cref="GetSpan"/>, one <see cref="Advance"/>)
    /// lands contiguous in one chunk, and <see cref="Last"/> says where.
    /// </summary>
    private sealed class Arena : IBufferWriter<byte>, IDisposable
    {
        private const int ChunkBytes = 1 << 20;
        private readonly List<byte[]> _chunks = [];
        private int _used;

        public Slice Last { get; private set; }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            if (_chunks.Count == 0 || _chunks[^1].Length - _used < Math.Max(sizeHint, 1))
            {
                _chunks.Add(ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, ChunkBytes)));
                _used = 0;
            }
            return _chunks[^1].AsSpan(_used);
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            GetSpan(sizeHint);
            return _chunks[^1].AsMemory(_used);
        }

        public void Advance(int count)
        {
            Last = new Slice(_chunks.Count - 1, _used, count);
            _used += count;
        }

        public ReadOnlyMemory<byte> Memory(Slice slice) => _chunks[slice.Chunk].AsMemory(slice.Offset, slice.Length);

        public void Dispose()
        {
            foreach (var chunk in _chunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            _chunks.Clear();
        }
    }
}
