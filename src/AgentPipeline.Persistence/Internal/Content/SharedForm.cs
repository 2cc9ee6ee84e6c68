using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Runtime.InteropServices;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// The shared form of a large value (docs/storage.md): what its column holds once its pieces are
/// stored once per run in <c>run_contents</c>. It is JSON text,
/// <c>{"agentpipe:shared":1,"parts":[…]}</c>, whose parts, concatenated in order, are the value's
/// stored text (the text the column held before, the store's escapes applied). Each part is a
/// JSON string: <c>"=</c><i>literal text</i><c>"</c>, <c>"#</c><i>hash</i><c>"</c> (a piece:
/// the body of the run's <c>run_contents</c> row with that hash) or <c>"@</c><i>hash</i><c>"</c>
/// (a block: a row whose body is a JSON array of <c>=</c> and <c>#</c> parts; or a group: a row whose body
/// is a JSON array of <c>@</c> references to blocks, <see cref="GroupMask"/>). A hash is the first
/// 16 bytes of the SHA-256 of the body's UTF-8, spelled (in references and as the row's key) as 22
/// base64url characters; forms and rows written by earlier versions spell it as 32 lower-case hex
/// digits, and are read as they are (a reference names the row whose key is spelled as it is).
/// </summary>
/// <remarks>
/// Unambiguous: a value whose stored text (a JSON value's after leading whitespace) starts with
/// <see cref="Prefix"/> is always written in the shared form, so a column whose value starts with
/// it holds the shared form. No literal part holds U+FFFF or the text <c>\uffff</c> (in any case):
/// such text becomes a piece, so the form itself never holds what the store's escapes touch and
/// reads back unchanged through the column's ordinary decoding.
/// </remarks>
internal static class SharedForm
{
    public const string Prefix = "{\"agentpipe:shared\":1,\"parts\":[";

    public static ReadOnlySpan<byte> PrefixUtf8 => "{\"agentpipe:shared\":1,\"parts\":["u8;

    /// <summary>A value whose stored text is shorter (UTF-8 bytes) stays literal, as it always was.</summary>
    public const int Threshold = 1024;

    /// <summary>Within a shared JSON value, a container this large (UTF-8 bytes) is descended into, and a leaf this large is a piece; smaller ones stay literal.</summary>
    public const int MinPiece = 256;

    /// <summary>
    /// A piece is at most this large (UTF-8 bytes): a longer leaf (a base64 image, a long tool output) or plain text is
    /// cut into pieces of this size from its start, each ending before a character's first byte, so the same text is
    /// cut the same way wherever it appears. A PostgreSQL server process reading a piece allocates the piece and its
    /// message whole; blocks under 128 KB come from its heap, while larger ones are mapped afresh at every read
    /// and their pages faulted in (docs/storage.md, "A piece at most 32 KB, and the read through a new handle").
    /// </summary>
    public const int MaxPiece = 32 * 1024;

    /// <summary>A block of parts closes after a piece whose hash's first byte has these bits zero (1 in 16)…</summary>
    public const int BoundaryMask = 0x0F;

    /// <summary>…once it holds this many pieces…</summary>
    public const int BlockMinPieces = 4;

    /// <summary>…or when it holds this many parts.</summary>
    public const int BlockMaxParts = 64;

    /// <summary>
    /// Blocks are grouped in turn: a group (a block whose parts are <c>@</c> references to blocks) closes after a
    /// block whose hash's second byte has these bits zero (1 in 8)…
    /// </summary>
    public const int GroupMask = 0x07;

    /// <summary>…once it holds this many blocks. The column lists the groups, then the blocks after the last group.</summary>
    public const int GroupMinBlocks = 2;

    /// <summary>How deep references may nest in stored content (a group, its blocks, their pieces): deeper is not a form the store writes.</summary>
    public const int MaxDepth = 2;

    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static bool IsShared(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>A JSON column's value as read (its raw text starts after any whitespace the stored text began with).</summary>
    public static bool IsShared(JsonElement? value) => value is { ValueKind: JsonValueKind.Object } v && JsonMarshal.GetRawUtf8Value(v).StartsWith(PrefixUtf8);

    /// <summary>The hash of a body: the first 16 bytes of its SHA-256.</summary>
    public static UInt128 Hash(ReadOnlySpan<byte> utf8)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8, digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(digest);
    }

    /// <summary>How many characters a hash is spelled with: 22 base64url characters (written), or 32 hex digits (written by earlier versions, still read).</summary>
    public const int KeyLength = 22;

    public const int HexKeyLength = 32;

    /// <summary>A hash as written (a reference's text after its kind character, and its row's <c>hash</c>): its 16 bytes, big-endian, in base64url without padding.</summary>
    public static string Key(UInt128 hash)
    {
        Span<byte> key = stackalloc byte[KeyLength];
        WriteKey(hash, key);
        return Encoding.ASCII.GetString(key);
    }

    private static void WriteKey(UInt128 hash, Span<byte> key)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, hash);
        System.Buffers.Text.Base64Url.EncodeToUtf8(bytes, key);
    }

    /// <summary>A hash spelled as it was written: base64url (<see cref="KeyLength"/>) or, by earlier versions, hex (<see cref="HexKeyLength"/>).</summary>
    public static string Key(UInt128 hash, bool hex) => hex ? hash.ToString("x32", System.Globalization.CultureInfo.InvariantCulture) : Key(hash);

    /// <summary>A stored hash's text (as read from <c>run_contents</c>, or unescaped from a part), in either spelling, told apart by its length.</summary>
    public static UInt128 ParseKey(ReadOnlySpan<byte> key) => TryParseKey(key, out var hash, out _) ? hash
        : throw new InvalidDataException($"'{Encoding.UTF8.GetString(key)}' is not a stored content hash.");

    public static bool TryParseKey(ReadOnlySpan<byte> key, out UInt128 hash, out bool hex)
    {
        hash = default;
        hex = key.Length == HexKeyLength;
        if (hex)
        {
            return UInt128.TryParse(key, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out hash);
        }
        Span<byte> bytes = stackalloc byte[18];
        if (key.Length != KeyLength || System.Buffers.Text.Base64Url.DecodeFromUtf8(key, bytes, out var consumed, out var written) != OperationStatus.Done
            || consumed != KeyLength || written != 16)
        {
            return false;
        }
        hash = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    /// <summary>Whether the text must not be a literal part: it holds U+FFFF (EF BF BF) or <c>\uffff</c> in any case.</summary>
    public static bool Unsafe(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOf("\uFFFF"u8) >= 0)
        {
            return true;
        }
        for (var i = utf8.IndexOf("\\u"u8); i >= 0; )
        {
            if (i + 6 <= utf8.Length && Ascii.EqualsIgnoreCase(utf8.Slice(i + 2, 4), "ffff"u8))
            {
                return true;
            }
            var next = utf8[(i + 1)..].IndexOf("\\u"u8);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }

    public static bool StartsWithPrefix(ReadOnlySpan<byte> utf8, bool json)
    {
        if (json)
        {
            var i = 0;
            while (i < utf8.Length && utf8[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                i++;
            }
            utf8 = utf8[i..];
        }
        return utf8.StartsWith(PrefixUtf8);
    }

    /// <summary>A part as written: its kind character, then the literal's UTF-8 or the hash's hex.</summary>
    public static void WritePart(Utf8JsonWriter writer, byte kind, ReadOnlySpan<byte> text)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(text.Length + 1);
        try
        {
            buffer[0] = kind;
            text.CopyTo(buffer.AsSpan(1));
            writer.WriteStringValue(buffer.AsSpan(0, text.Length + 1));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static void WriteRef(Utf8JsonWriter writer, byte kind, UInt128 hash)
    {
        Span<byte> text = stackalloc byte[1 + KeyLength];
        text[0] = kind;
        WriteKey(hash, text[1..]);
        writer.WriteStringValue(text);
    }
}

/// <summary>A value already in its stored form (the shared form, or a piece): bound as it is, without the store's escapes applied again.</summary>
internal sealed record StoredText(string Text);
