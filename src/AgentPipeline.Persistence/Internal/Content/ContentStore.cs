using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>A block of a shared form: the parts before <see cref="EndPart"/> (from the previous block's end), stored by <see cref="Hash"/>.</summary>
internal readonly record struct Block(int EndPart, UInt128 Hash);

/// <summary>The <c>run_contents</c> rows one write adds (in its transaction, before its row), and the pieces they make known once it commits.</summary>
internal sealed class PendingContent
{
    public List<BatchStatement> Statements { get; } = [];

    public List<(Guid Parent, UInt128 Hash)> Keys { get; } = [];
}

/// <summary>
/// A handle's write side of shared storage (docs/storage.md): turns a write's large values into
/// their shared form and lists the pieces to insert, leaving out those the handle has seen
/// committed under the same parent (an invocation, or a phase result) — so a step sends only what
/// is new in it. A piece is known only after the transaction that stored it has committed, and
/// only under the parent it was written under: a parent implies its run, so the cache is never
/// trusted for a run it did not see.
/// </summary>
internal sealed partial class ContentStore(Dialect dialect)
{
    private const int MaxKnown = 1 << 21;

    private readonly ConcurrentDictionary<(Guid, UInt128), byte> _known = new();

    /// <summary>
    /// <paramref name="args"/> with each large shared column in its shared form (a copy: the
    /// caller's array, which may also serve the replay comparison, is left as it is), and the
    /// content rows to insert in <paramref name="content"/> (null when there are none).
    /// </summary>
    public object?[] Share(SharedColumns shared, object?[] args, Guid? parent, out PendingContent? content)
    {
        PendingContent? pending = null;
        object?[]? copy = null;
        for (var c = 0; c < shared.Indexes.Length; c++)
        {
            var index = shared.Indexes[c];
            var value = args[index];
            if (value is null || value is StoredText)
            {
                continue;
            }
            string? form;
            if (value is PreparedJson prepared)
            {
                // Checked, redacted and cut already (TryPrepare), reusing the previous value's work.
                if (prepared.Length > dialect.MaxValueBytes)
                {
                    ValueLimit.Check(shared.Names[c], prepared.Element, dialect.MaxValueBytes);
                }
                form = prepared.Form;
                if (pending is null)
                {
                    pending = prepared.Content;
                }
                else
                {
                    for (var k = 0; k < prepared.Content.Keys.Count; k++)
                    {
                        if (!pending.Keys.Contains(prepared.Content.Keys[k]))
                        {
                            pending.Keys.Add(prepared.Content.Keys[k]);
                            pending.Statements.Add(prepared.Content.Statements[k]);
                        }
                    }
                }
                copy ??= (object?[])args.Clone();
                copy[index] = new StoredText(form);
                continue;
            }
            ValueLimit.Check(shared.Names[c], value, dialect.MaxValueBytes);
            if (value is JsonElement json)
            {
                var raw = JsonMarshal.GetRawUtf8Value(json);
                form = raw.Length < SharedForm.Threshold && !SharedForm.StartsWithPrefix(raw, json: true) ? null
                    : DbJson.NeedsEncoding(raw) ? Build(Encoding.UTF8.GetBytes(DbJson.ToText(json)), true)
                    : Build(raw, true);
            }
            else
            {
                var text = (string)value;
                form = text.Length * 3 < SharedForm.Threshold && !text.StartsWith(SharedForm.Prefix, StringComparison.Ordinal) ? null
                    : BuildText(DbText.Encode(text));
            }
            if (form is not null)
            {
                copy ??= (object?[])args.Clone();
                copy[index] = new StoredText(form);
            }
        }
        // In hash order: writers of one run that insert the same pieces take their locks in the same order (no deadlock between them).
        pending?.Statements.Sort(static (a, b) => string.CompareOrdinal((string)a.Row![0], (string)b.Row![0]));
        content = pending;
        return copy ?? args;

        string? BuildText(string stored)
        {
            var utf8 = Encoding.UTF8.GetBytes(stored);
            return utf8.Length < SharedForm.Threshold && !SharedForm.StartsWithPrefix(utf8, json: false) ? null : Build(utf8, false);
        }

        string Build(ReadOnlySpan<byte> utf8, bool isJson)
        {
            var owner = parent ?? (Guid)args[shared.ParentIndex]!;
            pending ??= new PendingContent();
            return Form(utf8, Splitter.Split(utf8, isJson), owner, shared, pending);
        }
    }

    /// <summary>Pieces of a committed write are known from now on.</summary>
    public void Committed(PendingContent? content)
    {
        if (content is null || content.Keys.Count == 0)
        {
            return;
        }
        if (_known.Count > MaxKnown)
        {
            _known.Clear();
        }
        foreach (var key in content.Keys)
        {
            _known.TryAdd(key, 0);
        }
    }

    /// <summary>
    /// The shared form of a stored text: its parts grouped into content-defined blocks (a block
    /// closes after a piece whose hash has <see cref="SharedForm.BoundaryMask"/>'s bits zero), each
    /// block stored once by hash, so an appended conversation reuses every earlier block; the parts
    /// after the last boundary are listed in the column itself.
    /// </summary>
    /// <remarks>
    /// <c>reusedParts</c>: how many leading parts are those of the value whose blocks <c>oldBlocks</c> are (same
    /// bytes): its blocks that lie within them, and are known committed, are listed again without being rebuilt or
    /// hashed. <c>blocks</c>, when given, receives the blocks of this form (for the next value's reuse).
    /// </remarks>
    private string Form(ReadOnlySpan<byte> utf8, List<Part> parts, Guid parent, SharedColumns shared, PendingContent content,
        int reusedParts = 0, List<Block>? oldBlocks = null, List<Block>? blocks = null)
    {
        var column = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(column, SharedForm.WriterOptions);
        writer.WriteStartObject();
        writer.WriteNumber("agentpipe:shared", 1);
        writer.WriteStartArray("parts");
        var blockStart = 0;
        var named = new List<UInt128>(); // the blocks, in order: grouped before the column names them
        if (oldBlocks is not null)
        {
            // Blocks are content-defined from the first part on, so over the same leading parts they close at the same
            // places; a committed block's pieces were committed with it or before. A block may close because of the part
            // after it (the end of a list), so only blocks followed by a reused part are taken again.
            foreach (var block in oldBlocks)
            {
                if (block.EndPart >= reusedParts || !_known.ContainsKey((parent, block.Hash)))
                {
                    break;
                }
                named.Add(block.Hash);
                blocks?.Add(block);
                blockStart = block.EndPart;
            }
        }
        var pieces = 0;
        for (var i = blockStart; i < parts.Count; i++)
        {
            var part = parts[i];
            if (pieces >= SharedColumns.ListEndMinPieces && SharedColumns.EndsList(utf8[part.Start..part.End]))
            {
                // The end of a list followed by more members (a request's messages, then its tools): the block closes before
                // it, so the block a growing list adds to at every step holds little of what follows the list (docs/storage.md).
                CloseBlock(i - 1, utf8);
            }
            if (part.Piece)
            {
                Need(part.Hash, utf8[part.Start..part.End], isBlock: false);
                pieces++;
            }
            var count = i + 1 - blockStart;
            if ((part.Piece && pieces >= SharedForm.BlockMinPieces && ((int)(part.Hash >> 120) & SharedForm.BoundaryMask) == 0)
                || count >= SharedForm.BlockMaxParts)
            {
                CloseBlock(i, utf8);
            }
        }
        WriteGroups();
        for (var j = blockStart; j < parts.Count; j++)
        {
            WritePart(writer, parts[j], utf8);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        return Encoding.UTF8.GetString(column.WrittenSpan);

        // Parts [blockStart, last] become a block, stored once by hash, the column naming it.
        void CloseBlock(int last, ReadOnlySpan<byte> text)
        {
            var block = new ArrayBufferWriter<byte>((last + 1 - blockStart) * 40);
            using (var blockWriter = new Utf8JsonWriter(block, SharedForm.WriterOptions))
            {
                blockWriter.WriteStartArray();
                for (var j = blockStart; j <= last; j++)
                {
                    WritePart(blockWriter, parts[j], text);
                }
                blockWriter.WriteEndArray();
            }
            var hash = SharedForm.Hash(block.WrittenSpan);
            Need(hash, block.WrittenSpan, isBlock: true);
            named.Add(hash);
            blocks?.Add(new Block(last + 1, hash));
            blockStart = last + 1;
            pieces = 0;
        }

        // The blocks grouped, content-defined as blocks are (so an appended conversation keeps its groups): the column
        // names each group, then the blocks after the last group closed. A group is stored once by hash, as a block is.
        void WriteGroups()
        {
            var start = 0;
            for (var k = 0; k < named.Count; k++)
            {
                if (k + 1 - start < SharedForm.GroupMinBlocks || ((int)(named[k] >> 112) & SharedForm.GroupMask) != 0)
                {
                    continue;
                }
                var group = new ArrayBufferWriter<byte>((k + 1 - start) * 28 + 2);
                using (var groupWriter = new Utf8JsonWriter(group, SharedForm.WriterOptions))
                {
                    groupWriter.WriteStartArray();
                    for (var j = start; j <= k; j++)
                    {
                        SharedForm.WriteRef(groupWriter, (byte)'@', named[j]);
                    }
                    groupWriter.WriteEndArray();
                }
                var hash = SharedForm.Hash(group.WrittenSpan);
                Need(hash, group.WrittenSpan, isBlock: true);
                SharedForm.WriteRef(writer, (byte)'@', hash);
                start = k + 1;
            }
            for (var k = start; k < named.Count; k++)
            {
                SharedForm.WriteRef(writer, (byte)'@', named[k]);
            }
        }

        // Where the dialect packs content (SQLite), a piece is LZ4-packed and a block's parts listed in binary when that saves.
        void Need(UInt128 hash, ReadOnlySpan<byte> body, bool isBlock)
        {
            var key = (parent, hash);
            if (_known.ContainsKey(key) || content.Keys.Contains(key))
            {
                return;
            }
            content.Keys.Add(key);
            object stored = (dialect.PacksPieces ? isBlock ? PackedPiece.PackBlock(body) : PackedPiece.Pack(body) : null) as object
                ?? new StoredText(Encoding.UTF8.GetString(body));
            content.Statements.Add(new BatchStatement(shared.Insert, dialect.Bind(shared.Insert, [SharedForm.Key(hash), stored, parent]), null));
        }
    }

    private static void WritePart(Utf8JsonWriter writer, Part part, ReadOnlySpan<byte> utf8)
    {
        if (part.Piece)
        {
            SharedForm.WriteRef(writer, (byte)'#', part.Hash);
        }
        else
        {
            SharedForm.WritePart(writer, (byte)'=', utf8[part.Start..part.End]);
        }
    }
}
