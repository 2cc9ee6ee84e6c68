using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// A large JSON value checked, redacted and cut into its shared form by <see cref="ContentStore.TryPrepare"/>:
/// what the ordinary path (the column's checks and redaction, then <see cref="ContentStore.Share"/>) would make
/// of it, byte for byte.
/// </summary>
internal sealed class PreparedJson(JsonElement? unchanged, Func<byte[]>? stored, int length, string form, PendingContent content)
{
    private JsonElement? _element = unchanged;

    /// <summary>
    /// The value as the ordinary path would have it after redaction (a replay compares it), made on first use when
    /// redaction changed it (from the caller's value, which lives as long as the call).
    /// </summary>
    public JsonElement Element => _element ??= Parse(stored!());

    /// <summary>The stored text's length in UTF-8 bytes.</summary>
    public int Length { get; } = length;

    /// <summary>The column's shared form.</summary>
    public string Form { get; } = form;

    /// <summary>The pieces and blocks to insert with the row.</summary>
    public PendingContent Content { get; } = content;

    private static JsonElement Parse(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = DbJson.ReadMaxDepth });
        return JsonElement.ParseValue(ref reader);
    }
}

/// <summary>
/// The write side's memory of each parent's previous large value (docs/storage.md, "Writing: one fast pass"):
/// an agent loop sends its whole conversation at every step, so a step's request is the previous one plus a few
/// messages. The request is seen as units, each value of its top-level properties and each item of those that
/// are arrays (a message, a tool); a unit whose bytes are those of a unit of the previous value (compared byte for
/// byte) is not checked, redacted, walked or hashed again: its results are the remembered ones. The caller's text is
/// compared once with the previous value's, and the leading units within the bytes that are the same are the previous
/// ones at the same places; only the units after them are looked up, and the skeleton, stored text, parts and blocks are
/// rewritten after them. What is left per step is that comparison, a walk of the caller's index of the units, and the
/// work on what is new.
/// </summary>
internal sealed partial class ContentStore
{
    /// <summary>Smaller values take the ordinary path (what they repeat costs little).</summary>
    internal const int MinPrepared = 16 * 1024;

    /// <summary>A value larger than this is not remembered (nor prepared).</summary>
    private const int MaxPrepared = 32 * 1024 * 1024;

    /// <summary>Parents remembered by a handle (the least recently written go first), and their bytes in all.</summary>
    private const int MaxEntries = 16;

    private const long MaxEntryBytes = 256L * 1024 * 1024;

    private readonly Dictionary<(Guid Parent, string Column), Entry> _entries = [];

    /// <summary>Values prepared, and units whose results were reused, since the handle opened (for tests and benchmarks).</summary>
    internal long PreparedValues;

    internal long ReusedUnits;
    private long _clock;

    /// <summary>
    /// <paramref name="value"/>, the caller's value of a large JSON column whose rows share a parent's earlier values,
    /// checked (<see cref="JsonStandard"/>), redacted (<paramref name="redactor"/>; null when off), and in its shared
    /// form, reusing the work done for the parent's previous value; or null when it must take the ordinary path: a
    /// small value, a custom redactor, a value the ordinary path would refuse or rewrite (it then says why), or a
    /// shape the shortcut does not cover.
    /// </summary>
    public PreparedJson? TryPrepare(JsonElement value, string field, RedactionContext context, ISecretRedactor? redactor, Guid parent,
        SharedColumns shared)
    {
        if (value.ValueKind != JsonValueKind.Object || context.IsHeaders || parent == Guid.Empty
            || (redactor is not null && redactor is not DefaultSecretRedactor))
        {
            return null;
        }
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length < MinPrepared || raw.Length > MaxPrepared || raw.Length > dialect.MaxValueBytes)
        {
            return null;
        }
        var defaultRedactor = (DefaultSecretRedactor?)redactor;
        if (defaultRedactor is not null && !defaultRedactor.ChildrenRedactAlone(value))
        {
            return null;
        }
        var entry = TakeEntry(parent, context.Column, raw.Length);
        if (!Monitor.TryEnter(entry.Gate))
        {
            return null;
        }
        try
        {
            return Prepare(entry, value, raw, context, defaultRedactor, parent, shared);
        }
        catch (JsonException)
        {
            // Not standard JSON, too deep, …: the ordinary path rewrites it or says what is wrong.
            entry.Reset();
            return null;
        }
        catch
        {
            entry.Reset();
            throw;
        }
        finally
        {
            Monitor.Exit(entry.Gate);
        }
    }

    private Entry TakeEntry(Guid parent, string column, int bytes)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue((parent, column), out var entry))
            {
                entry = new Entry();
                _entries[(parent, column)] = entry;
            }
            entry.LastUse = ++_clock;
            entry.Bytes = Math.Max(entry.Bytes, 2L * bytes);
            long total = 0;
            foreach (var e in _entries.Values)
            {
                total += e.Bytes;
            }
            while (_entries.Count > 1 && (_entries.Count > MaxEntries || total > MaxEntryBytes))
            {
                var oldest = _entries.MinBy(e => e.Value.LastUse);
                if (oldest.Value == entry)
                {
                    break;
                }
                _entries.Remove(oldest.Key);
                total -= oldest.Value.Bytes;
            }
            return entry;
        }
    }

    private PreparedJson? Prepare(Entry entry, JsonElement value, ReadOnlySpan<byte> raw, RedactionContext context,
        DefaultSecretRedactor? redactor, Guid parent, SharedColumns shared)
    {
        // How far the caller's text is the previous value's: one comparison of the repeated bytes (with the previous
        // stored text, which is that text but where redaction changed a unit). The leading units that end before that
        // point, the byte after them included (it ends a number), are the previous value's units at the same places with
        // the same text before them (tokens are read left to right, so the same bytes make the same tokens and the same
        // units): they are taken as they are, without a look-up or another comparison.
        var old = entry.Placed;
        var same = SameBytes(raw, entry);
        var first = 0;
        var count = 0;
        var found = 0;
        var tail = entry.Tail;
        tail.Clear();
        foreach (var property in value.EnumerateObject())
        {
            var child = property.Value;
            if (child.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in child.EnumerateArray())
                {
                    if (!AddUnit(item, 2))
                    {
                        entry.Reset();
                        return null;
                    }
                }
            }
            else if (!AddUnit(child, 1))
            {
                entry.Reset();
                return null;
            }
        }

        // Where the units after the reused ones start: in the caller's text, the stored text and the skeleton.
        var (prefix, shift, redactions, skeletonPrefix) = first == 0 ? (0, 0, 0, 0)
            : (old[first - 1].Start + old[first - 1].Length, old[first - 1].Shift, old[first - 1].Redactions, old[first - 1].Placeholder + 1);
        var storedPrefix = prefix + shift;
        var tailBytes = 0;
        foreach (var (_, unit) in tail)
        {
            tailBytes += unit.Raw.Length;
            if (unit.Redacted is not null)
            {
                shift += unit.Redacted.Length - unit.Raw.Length;
                redactions++;
            }
        }
        var storedLength = raw.Length + shift;

        // What lies between the units (the top-level names, brackets, commas) is checked as the whole would be: the
        // text with every unit replaced by 0 (the skeleton). A unit is a whole JSON value in a value's place, so the
        // whole is standard JSON with unique names if and only if this is and every unit is. The skeleton of the reused
        // units is the previous one's; the rest is written after it.
        var skeletonLength = skeletonPrefix + (raw.Length - prefix) - tailBytes + tail.Count;
        Grow(ref entry.Skeleton, skeletonLength, skeletonPrefix);
        var skeleton = entry.Skeleton;
        var placeholders = entry.Placeholders;
        placeholders.Clear();
        var at = prefix;
        var written = skeletonPrefix;
        foreach (var (start, unit) in tail)
        {
            raw[at..start].CopyTo(skeleton.AsSpan(written));
            written += start - at;
            placeholders.Add(written);
            skeleton[written++] = (byte)'0';
            at = start + unit.Raw.Length;
        }
        raw[at..].CopyTo(skeleton.AsSpan(written));
        if (JsonStandard.FirstRepeatedName(skeleton.AsSpan(0, skeletonLength), new JsonReaderOptions { MaxDepth = DbJson.MaxDepth }) is not null
            || DbJson.NeedsEncoding(skeleton.AsSpan(0, skeletonLength)) || storedLength < SharedForm.Threshold)
        {
            entry.Reset();
            return null;
        }

        // The stored text: the caller's text with each unit's redacted text, made in the entry's buffer, whose first
        // storedPrefix bytes are already the same.
        Grow(ref entry.Stored, storedLength, storedPrefix);
        var buffer = entry.Stored;
        var pieces = entry.Pieces;
        pieces.Clear();
        at = prefix;
        written = storedPrefix;
        foreach (var (start, unit) in tail)
        {
            raw[at..start].CopyTo(buffer.AsSpan(written));
            written += start - at;
            foreach (var piece in unit.Pieces)
            {
                pieces.Add(piece with { Start = piece.Start + written, End = piece.End + written });
            }
            unit.Stored.CopyTo(buffer.AsSpan(written));
            written += unit.Stored.Length;
            at = start + unit.Raw.Length;
        }
        raw[at..].CopyTo(buffer.AsSpan(written));
        var stored = buffer.AsSpan(0, storedLength);

        // Its parts: the previous value's that end within the reused prefix are the same (a piece lies within a unit, so
        // the pieces and the text between them there are the same); the list keeps them and the rest is made anew from
        // the units' pieces.
        var parts = entry.Parts ?? [];
        var reusedParts = entry.Parts is null ? 0 : EndingBy(parts, storedPrefix);
        parts.RemoveRange(reusedParts, parts.Count - reusedParts);
        Splitter.Assemble(stored, pieces, null, parts);
        var content = new PendingContent();
        var blocks = entry.SpareBlocks;
        blocks.Clear();
        var form = Form(stored, parts, parent, shared, content, reusedParts, entry.Parts is null ? null : entry.Blocks, blocks);
        content.Statements.Sort(static (a, b) => string.CompareOrdinal((string)a.Row![0], (string)b.Row![0]));

        // Remember this value for the next one: its units after the reused ones (its stored text is in the buffer; units
        // no longer used go when the memory has grown well past them).
        old.RemoveRange(first, old.Count - first);
        for (var i = 0; i < tail.Count; i++)
        {
            var (start, unit) = tail[i];
            var before = old.Count == 0 ? default : old[^1];
            old.Add(new Placed(start, unit.Raw.Length, unit.Depth, placeholders[i],
                before.Shift + (unit.Redacted is null ? 0 : unit.Redacted.Length - unit.Raw.Length),
                before.Redactions + (unit.Redacted is null ? 0 : 1), unit));
        }
        entry.StoredLength = storedLength;
        entry.Parts = parts;
        entry.SpareBlocks = entry.Blocks ?? [];
        entry.Blocks = blocks;
        if (entry.UnitCount > 2 * old.Count + 1024)
        {
            entry.Prune();
        }
        Interlocked.Add(ref ReusedUnits, first + found);
        Interlocked.Increment(ref PreparedValues);
        if (redactions == 0)
        {
            return new PreparedJson(value, null, storedLength, form, content);
        }
        Placed[] units = [.. old];
        return new PreparedJson(null, () => Stitch(JsonMarshal.GetRawUtf8Value(value), units, storedLength), storedLength, form, content);

        bool AddUnit(JsonElement element, int depth)
        {
            var whole = JsonMarshal.GetRawUtf8Value(value);
            var bytes = JsonMarshal.GetRawUtf8Value(element);
            if (!whole.Overlaps(bytes, out var offset) || offset < 0 || offset + bytes.Length > whole.Length)
            {
                return false;
            }
            var index = count++;
            if (index == first && index < old.Count && offset + bytes.Length < same && old[index] is var known
                && known.Start == offset && known.Length == bytes.Length && known.Depth == depth)
            {
                first++;
                return true;
            }
            // Elsewhere (after an edit, an insertion, or after the bytes that changed): a unit of the same bytes seen
            // before, compared whole with the few that share its key, or a new one.
            var key = UnitKey.Of(depth, bytes);
            entry.Units.TryGetValue(key, out var head);
            Unit? unit = null;
            var candidates = 0;
            for (var u = head; u is not null && candidates < MaxCandidates; u = u.Next, candidates++)
            {
                if (bytes.SequenceEqual(u.Raw))
                {
                    unit = u;
                    found++;
                    break;
                }
            }
            if (unit is null)
            {
                unit = MakeUnit(element, bytes, depth, redactor, context);
                if (unit is null)
                {
                    return false;
                }
                // The newest first; a chain keeps as many units as are compared (the others are still the previous
                // value's where it holds them, and go with it).
                unit.Next = head;
                entry.Units[key] = unit;
                entry.UnitCount++;
                var last = unit;
                for (var kept = 1; last.Next is not null && kept < MaxCandidates; kept++)
                {
                    last = last.Next;
                }
                last.Next = null;
            }
            tail.Add((offset, unit));
            return true;
        }
    }

    /// <summary>
    /// Units with the same key compared before a unit is made anew: a look-up costs at most this many comparisons of
    /// the unit's bytes, far less than making it (units made to share a key cost no more than new ones).
    /// </summary>
    private const int MaxCandidates = 16;

    /// <summary>How many of <paramref name="parts"/> (consecutive, from 0) end at or before <paramref name="end"/>.</summary>
    private static int EndingBy(List<Part> parts, int end)
    {
        var span = CollectionsMarshal.AsSpan(parts);
        int low = 0, high = span.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (span[mid].End <= end)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /// <summary>
    /// How many leading bytes of <paramref name="raw"/> are the previous value's text, compared with its stored text: that
    /// is the caller's text but for the units redaction changed, whose own bytes are compared instead (the text after
    /// each lies that much further on in the stored text). One comparison of the bytes, vectorized, and nothing more
    /// when nothing was redacted.
    /// </summary>
    private static int SameBytes(ReadOnlySpan<byte> raw, Entry entry)
    {
        var old = entry.Placed;
        if (old.Count == 0)
        {
            return 0;
        }
        var stored = entry.Stored.AsSpan(0, entry.StoredLength);
        var redacted = old[^1].Redactions;
        var at = 0;
        var shift = 0;
        var redactions = 0;
        for (var i = 0; redactions < redacted; i++)
        {
            var placed = old[i];
            if (placed.Redactions == redactions)
            {
                continue;
            }
            if (!Agrees(raw, ref at, stored.Slice(at + shift, placed.Start - at)) || !Agrees(raw, ref at, placed.Unit.Raw))
            {
                return at;
            }
            shift = placed.Shift;
            redactions = placed.Redactions;
        }
        Agrees(raw, ref at, stored[(at + shift)..]);
        return at;

        // Whether raw, from at, goes on with all of text; at moves past the bytes that agree.
        static bool Agrees(ReadOnlySpan<byte> raw, ref int at, ReadOnlySpan<byte> text)
        {
            var common = raw[at..].CommonPrefixLength(text);
            at += common;
            return common == text.Length;
        }
    }

    /// <summary>Makes <paramref name="buffer"/> at least <paramref name="length"/> bytes long, keeping its first <paramref name="keep"/>.</summary>
    private static void Grow(ref byte[] buffer, int length, int keep)
    {
        if (buffer.Length < length)
        {
            var grown = new byte[length + length / 4];
            buffer.AsSpan(0, keep).CopyTo(grown);
            buffer = grown;
        }
    }

    /// <summary>The stored text of a value some of whose units were redacted, as one array (for a replay's comparison).</summary>
    private static byte[] Stitch(ReadOnlySpan<byte> raw, Placed[] units, int length)
    {
        var text = new byte[length];
        var at = 0;
        var written = 0;
        foreach (var placed in units)
        {
            var (start, unit) = (placed.Start, placed.Unit);
            raw[at..start].CopyTo(text.AsSpan(written));
            written += start - at;
            unit.Stored.CopyTo(text.AsSpan(written));
            written += unit.Stored.Length;
            at = start + unit.Raw.Length;
        }
        raw[at..].CopyTo(text.AsSpan(written));
        return text;
    }

    /// <summary>
    /// A unit's results, as the ordinary path would find them for its bytes inside the whole: checked as standard JSON
    /// (at its depth), redacted alone (<see cref="DefaultSecretRedactor.ChildrenRedactAlone"/>), free of what the
    /// store's escapes would rewrite, and its pieces (a unit's pieces do not depend on what surrounds it: the
    /// containers above it are at least as large, so they are descended into).
    /// </summary>
    private static Unit? MakeUnit(JsonElement element, ReadOnlySpan<byte> bytes, int depth, DefaultSecretRedactor? redactor, RedactionContext context)
    {
        // One level more than the whole allows, so a unit near the limit goes to the ordinary path, which decides.
        if (JsonStandard.FirstRepeatedName(bytes, new JsonReaderOptions { MaxDepth = DbJson.MaxDepth - depth - 1 }) is not null)
        {
            return null;
        }
        byte[]? redactedBytes = null;
        if (redactor is not null)
        {
            var redacted = redactor.Redact(element, context);
            var text = JsonMarshal.GetRawUtf8Value(redacted);
            if (!(text.Length == bytes.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(text), ref MemoryMarshal.GetReference(bytes))))
            {
                redactedBytes = text.ToArray();
            }
        }
        var rawCopy = bytes.ToArray();
        var stored = redactedBytes ?? rawCopy;
        if (DbJson.NeedsEncoding(stored))
        {
            return null;
        }
        var pieces = new List<Part>();
        foreach (var (start, end) in Splitter.JsonPieces(stored))
        {
            pieces.Add(new Part(true, start, end, SharedForm.Hash(stored.AsSpan(start, end - start))));
        }
        return new Unit(depth, rawCopy, redactedBytes, [.. pieces]);
    }

    /// <summary>One parent's (and column's) previous value.</summary>
    private sealed class Entry
    {
        public object Gate { get; } = new();

        public long LastUse { get; set; }

        public long Bytes { get; set; }

        /// <summary>The units seen, by where to look for them (each compared whole before it is reused; units that share a key are chained).</summary>
        public Dictionary<UnitKey, Unit> Units { get; private set; } = [];

        /// <summary>The units put in <see cref="Units"/> since it was last pruned (some may have left their chains since).</summary>
        public int UnitCount { get; set; }

        /// <summary>The previous value's units in order, with where each is.</summary>
        public List<Placed> Placed { get; } = [];

        /// <summary>The previous value's skeleton (its text with every unit replaced by 0; as long as <see cref="Placed"/> says).</summary>
        public byte[] Skeleton = [];

        /// <summary>The previous value's stored text (the first <see cref="StoredLength"/> bytes), its parts and blocks.</summary>
        public byte[] Stored = [];

        public int StoredLength { get; set; }

        public List<Part>? Parts { get; set; }

        public List<Block>? Blocks { get; set; }

        /// <summary>Lists kept from one value to the next, so that a long value's are not allocated again at every step.</summary>
        public List<Block> SpareBlocks { get; set; } = [];

        public List<(int Start, Unit Unit)> Tail { get; } = [];

        public List<int> Placeholders { get; } = [];

        public List<Part> Pieces { get; } = [];

        private long _generation;

        /// <summary>Forgets the previous value (its texts may have been half overwritten).</summary>
        public void Reset()
        {
            Placed.Clear();
            StoredLength = 0;
            Parts = null;
            Blocks = null;
        }

        /// <summary>Keeps only the units of the previous value.</summary>
        public void Prune()
        {
            var generation = ++_generation;
            UnitCount = 0;
            var kept = new Dictionary<UnitKey, Unit>(Placed.Count);
            foreach (var placed in Placed)
            {
                placed.Unit.Next = null;
            }
            foreach (var placed in Placed)
            {
                // A unit the value holds twice is chained once.
                var unit = placed.Unit;
                if (unit.Generation != generation)
                {
                    unit.Generation = generation;
                    var key = UnitKey.Of(unit.Depth, unit.Raw);
                    kept.TryGetValue(key, out var head);
                    unit.Next = head;
                    kept[key] = unit;
                    UnitCount++;
                }
            }
            Units = kept;
        }
    }

    /// <summary>
    /// A unit of a value: where it starts in the caller's text, its length and depth (here too, so that the units a value
    /// repeats are passed over without reading each one's memory), its placeholder in the skeleton, and, through it, how
    /// much longer redaction made the stored text and how many units it changed.
    /// </summary>
    private readonly record struct Placed(int Start, int Length, int Depth, int Placeholder, int Shift, int Redactions, Unit Unit);

    /// <summary>A unit's bytes, its redacted text (null when redaction left it as it is), its pieces (offsets in its stored text).</summary>
    private sealed class Unit(int depth, byte[] raw, byte[]? redacted, Part[] pieces)
    {
        public int Depth { get; } = depth;

        public byte[] Raw { get; } = raw;

        public byte[]? Redacted { get; } = redacted;

        public Part[] Pieces { get; } = pieces;

        public byte[] Stored => Redacted ?? Raw;

        /// <summary>The next unit seen with the same key.</summary>
        public Unit? Next { get; set; }

        public long Generation { get; set; }
    }

    /// <summary>Where to look for a unit: its depth, length and bytes at its start, middle and end (a find is then compared whole).</summary>
    private readonly record struct UnitKey(int Depth, int Length, ulong Head, ulong Middle, ulong Tail)
    {
        public static UnitKey Of(int depth, ReadOnlySpan<byte> bytes)
        {
            var piece = PieceKey.Of(bytes);
            var middle = bytes.Length >= 24 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes[(bytes.Length / 2 - 4)..]) : 0;
            return new UnitKey(depth, piece.Length, piece.Head, middle, piece.Tail);
        }

        // Seeded per process (HashCode): keys chosen to fall into one bucket cannot be made from the outside.
        public override int GetHashCode() => HashCode.Combine(Depth, Length, Head, Middle, Tail);
    }

    private readonly record struct PieceKey(int Length, ulong Head, ulong Tail)
    {
        public static PieceKey Of(ReadOnlySpan<byte> bytes) => bytes.Length >= 8
            ? new(bytes.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]))
            : new(bytes.Length, Small(bytes), 0);

        private static ulong Small(ReadOnlySpan<byte> bytes)
        {
            ulong v = 0;
            foreach (var b in bytes)
            {
                v = (v << 8) | b;
            }
            return v;
        }
    }
}
