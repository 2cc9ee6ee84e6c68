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
/// byte) is not checked, redacted, walked or hashed again: its results are the remembered ones. What is left per
/// step is that comparison, a copy of the stored text, and the work on what is new.
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
        // The units, in order, each with its results: remembered when its bytes are a remembered unit's.
        var units = new List<(int Start, Unit Unit)>(entry.Order.Count + 8);
        var storedLength = raw.Length;
        var redacted = false;
        foreach (var property in value.EnumerateObject())
        {
            var child = property.Value;
            if (child.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in child.EnumerateArray())
                {
                    if (!AddUnit(item, 2))
                    {
                        return null;
                    }
                }
            }
            else if (!AddUnit(child, 1))
            {
                return null;
            }
        }

        // What lies between the units (the top-level names, brackets, commas) is checked as the whole would be: the
        // text with every unit replaced by 0. A unit is a whole JSON value in a value's place, so the whole is
        // standard JSON with unique names if and only if this is and every unit is.
        var unitBytes = 0;
        foreach (var (_, unit) in units)
        {
            unitBytes += unit.Raw.Length;
        }
        var skeleton = new byte[raw.Length - unitBytes + units.Count];
        var placeholders = new int[units.Count];
        var at = 0;
        var written = 0;
        for (var i = 0; i < units.Count; i++)
        {
            var (start, unit) = units[i];
            raw[at..start].CopyTo(skeleton.AsSpan(written));
            written += start - at;
            placeholders[i] = written;
            skeleton[written++] = (byte)'0';
            at = start + unit.Raw.Length;
        }
        raw[at..].CopyTo(skeleton.AsSpan(written));
        if (JsonStandard.FirstRepeatedName(skeleton, new JsonReaderOptions { MaxDepth = DbJson.MaxDepth }) is not null
            || DbJson.NeedsEncoding(skeleton) || storedLength < SharedForm.Threshold)
        {
            return null;
        }

        // How far the value is the previous one: the leading units that are the same units at the same places, with
        // the same text before each (the skeletons agree up to it). prefix: where the first other unit's preceding
        // text starts, in the caller's text and in the stored text.
        var common = skeleton.AsSpan().CommonPrefixLength(entry.Skeleton);
        var first = 0;
        var shift = 0;
        while (first < units.Count && first < entry.Order.Count && ReferenceEquals(units[first].Unit, entry.Order[first])
               && placeholders[first] < common && placeholders[first] == entry.Placeholders[first])
        {
            shift += units[first].Unit.Stored.Length - units[first].Unit.Raw.Length;
            first++;
        }
        var prefix = first == 0 ? 0 : units[first - 1].Start + units[first - 1].Unit.Raw.Length;
        var storedPrefix = prefix + shift;

        // The stored text: the caller's text with each unit's redacted text, made in the entry's buffer, whose first
        // storedPrefix bytes are already the same.
        if (entry.Stored.Length < storedLength)
        {
            var grown = new byte[storedLength + storedLength / 4];
            entry.Stored.AsSpan(0, storedPrefix).CopyTo(grown);
            entry.Stored = grown;
        }
        var buffer = entry.Stored;
        at = prefix;
        written = storedPrefix;
        var pieces = new List<Part>();
        for (var i = first; i < units.Count; i++)
        {
            var (start, unit) = units[i];
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

        // Its parts: the previous value's that end within the prefix are the same (a piece lies within a unit, so the
        // pieces and the text between them there are the same), then the rest made anew from the units' pieces.
        // (Two lists a parent, used in turn: a long request's list of parts is large, so it is not allocated at every step.)
        var parts = entry.Spare ?? new List<Part>(pieces.Count * 2 + 1);
        parts.Clear();
        var reused = 0;
        if (entry.Parts is { } oldParts)
        {
            while (reused < oldParts.Count && oldParts[reused].End <= storedPrefix)
            {
                reused++;
            }
            parts.AddRange(CollectionsMarshal.AsSpan(oldParts)[..reused]);
        }
        Splitter.Assemble(stored, pieces, null, parts);
        var content = new PendingContent();
        var blocks = new List<Block>();
        var form = Form(stored, parts, parent, shared, content, reused, entry.Parts is null ? null : entry.Blocks, blocks);
        content.Statements.Sort(static (a, b) => string.CompareOrdinal((string)a.Row![0], (string)b.Row![0]));

        // Remember this value for the next one (units no longer used go when the memory has grown well past them).
        entry.StoredLength = storedLength;
        entry.Spare = entry.Parts;
        entry.Parts = parts;
        entry.Blocks = blocks;
        entry.Skeleton = skeleton;
        entry.Placeholders = placeholders;
        entry.Order = [.. units.Select(u => u.Unit)];
        if (entry.Units.Count > 2 * units.Count + 1024)
        {
            var kept = new Dictionary<UnitKey, Unit>(units.Count);
            foreach (var (_, unit) in units)
            {
                // Two units may share a key (then the last one seen is kept, as in AddUnit).
                kept[UnitKey.Of(unit.Depth, unit.Raw)] = unit;
            }
            entry.Units = kept;
        }
        Interlocked.Increment(ref PreparedValues);
        return new PreparedJson(redacted ? null : value, redacted ? () => Stitch(JsonMarshal.GetRawUtf8Value(value), units, storedLength) : null, storedLength, form, content);

        bool AddUnit(JsonElement element, int depth)
        {
            var whole = JsonMarshal.GetRawUtf8Value(value);
            var bytes = JsonMarshal.GetRawUtf8Value(element);
            if (!whole.Overlaps(bytes, out var offset) || offset < 0 || offset + bytes.Length > whole.Length)
            {
                return false;
            }
            var key = UnitKey.Of(depth, bytes);
            if (entry.Units.TryGetValue(key, out var unit) && bytes.SequenceEqual(unit.Raw))
            {
                Interlocked.Increment(ref ReusedUnits);
            }
            else
            {
                unit = MakeUnit(element, bytes, depth, redactor, context);
                if (unit is null)
                {
                    return false;
                }
                entry.Units[key] = unit;
            }
            units.Add((offset, unit));
            if (unit.Redacted is not null)
            {
                redacted = true;
                storedLength += unit.Redacted.Length - unit.Raw.Length;
            }
            return true;
        }
    }

    /// <summary>The stored text of a value some of whose units were redacted, as one array (for a replay's comparison).</summary>
    private static byte[] Stitch(ReadOnlySpan<byte> raw, List<(int Start, Unit Unit)> units, int length)
    {
        var text = new byte[length];
        var at = 0;
        var written = 0;
        foreach (var (start, unit) in units)
        {
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

        /// <summary>The units seen, by where to look for them (each compared whole before it is reused).</summary>
        public Dictionary<UnitKey, Unit> Units { get; set; } = [];

        /// <summary>The previous value's units in order, its skeleton and where each unit's 0 is in it.</summary>
        public List<Unit> Order { get; set; } = [];

        public byte[] Skeleton { get; set; } = [];

        public int[] Placeholders { get; set; } = [];

        /// <summary>The previous value's stored text (the first <see cref="StoredLength"/> bytes), its parts and blocks.</summary>
        public byte[] Stored { get; set; } = [];

        public int StoredLength { get; set; }

        public List<Part>? Parts { get; set; }

        public List<Block>? Blocks { get; set; }

        /// <summary>The list of parts before <see cref="Parts"/>, to be reused for the next value's.</summary>
        public List<Part>? Spare { get; set; }

        /// <summary>Forgets the previous value (its stored text may have been half overwritten).</summary>
        public void Reset()
        {
            Order = [];
            Skeleton = [];
            Placeholders = [];
            StoredLength = 0;
            Parts = null;
            Blocks = null;
        }
    }

    /// <summary>A unit's bytes, its redacted text (null when redaction left it as it is), its pieces (offsets in its stored text).</summary>
    private sealed record Unit(int Depth, byte[] Raw, byte[]? Redacted, Part[] Pieces)
    {
        public byte[] Stored => Redacted ?? Raw;
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
