using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using K4os.Compression.LZ4;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// A <c>run_contents</c> body packed, as SQLite stores it (docs/storage.md, "Where the pieces are"): a BLOB whose
/// first byte says the format, kept only when it saves at least an eighth and unpacks to the very same bytes;
/// everything else stays TEXT, so a body's storage class says which it is. The hash is always that of the text.
/// Format 1: a piece in LZ4 (the text's UTF-8 length as 4 bytes little-endian, then one LZ4 block); 2: a block's
/// parts in binary (<see cref="PackBlock"/>); 3: a piece that is mostly base64 as the bytes it encodes
/// (<see cref="PackBase64"/>).
/// </summary>
internal static class PackedPiece
{
    private const byte Format = 1;
    private const byte BlockFormat = 2;
    private const byte Base64Format = 3;
    private const int MinBase64 = 1024;
    private const int Header = 5;

    /// <summary>The packed body of <paramref name="utf8"/>, or null when packing it saves less than an eighth.</summary>
    public static byte[]? Pack(ReadOnlySpan<byte> utf8) => PackBase64(utf8) ?? PackLz4(utf8);

    /// <summary>
    /// A piece that is mostly base64 (an image, a file: LZ4 finds nothing to repeat in it) as the bytes it encodes:
    /// one format byte (3), the text before the base64 (its length, 4 bytes little-endian, and its UTF-8), the text
    /// after it (likewise), then the decoded bytes: three quarters of the base64's size. Only base64 that encodes
    /// them back to the very same characters (canonical padding) is taken.
    /// </summary>
    private static byte[]? PackBase64(ReadOnlySpan<byte> utf8)
    {
        // The longest run of base64 characters, then its padding.
        int start = 0, length = 0;
        for (var i = 0; i < utf8.Length;)
        {
            var j = i;
            while (j < utf8.Length && IsBase64(utf8[j]))
            {
                j++;
            }
            if (j - i > length)
            {
                (start, length) = (i, j - i);
            }
            i = j + 1;
        }
        if (length < MinBase64 || length < utf8.Length / 2)
        {
            return null;
        }
        var pad = 0;
        while (pad < 2 && start + length + pad < utf8.Length && utf8[start + length + pad] == (byte)'=')
        {
            pad++;
        }
        length = (length + pad) % 4 == 0 ? length + pad : length - length % 4;
        var base64 = utf8.Slice(start, length);
        var decoded = new byte[System.Buffers.Text.Base64.GetMaxDecodedFromUtf8Length(length)];
        if (System.Buffers.Text.Base64.DecodeFromUtf8(base64, decoded, out var consumed, out var written) != OperationStatus.Done || consumed != length)
        {
            return null;
        }
        var prefix = utf8[..start];
        var suffix = utf8[(start + length)..];
        var packed = new byte[1 + 4 + prefix.Length + 4 + suffix.Length + written];
        packed[0] = Base64Format;
        BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(1), prefix.Length);
        prefix.CopyTo(packed.AsSpan(5));
        BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(5 + prefix.Length), suffix.Length);
        suffix.CopyTo(packed.AsSpan(9 + prefix.Length));
        decoded.AsSpan(0, written).CopyTo(packed.AsSpan(9 + prefix.Length + suffix.Length));
        if (packed.Length > utf8.Length - utf8.Length / 8)
        {
            return null;
        }
        var check = new ArrayBufferWriter<byte>(utf8.Length);
        UnpackBase64(packed, check);
        return check.WrittenSpan.SequenceEqual(utf8) ? packed : null;
    }

    private static bool IsBase64(byte c) => (uint)(c - 'A') < 26 || (uint)(c - 'a') < 26 || (uint)(c - '0') < 10 || c == '+' || c == '/';

    private static void UnpackBase64(ReadOnlySpan<byte> packed, IBufferWriter<byte> destination)
    {
        if (packed.Length < 9 || BinaryPrimitives.ReadInt32LittleEndian(packed[1..]) is var prefixLength && (prefixLength < 0 || prefixLength > packed.Length - 9)
            || BinaryPrimitives.ReadInt32LittleEndian(packed[(5 + prefixLength)..]) is var suffixLength && (suffixLength < 0 || suffixLength > packed.Length - 9 - prefixLength))
        {
            throw new InvalidDataException("A packed piece of a shared value is damaged.");
        }
        var prefix = packed.Slice(5, prefixLength);
        var suffix = packed.Slice(9 + prefixLength, suffixLength);
        var bytes = packed[(9 + prefixLength + suffixLength)..];
        var encoded = System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(bytes.Length);
        var span = destination.GetSpan(prefix.Length + encoded + suffix.Length);
        prefix.CopyTo(span);
        System.Buffers.Text.Base64.EncodeToUtf8(bytes, span[prefix.Length..], out _, out var written);
        suffix.CopyTo(span[(prefix.Length + written)..]);
        destination.Advance(prefix.Length + written + suffix.Length);
    }

    private static byte[]? PackLz4(ReadOnlySpan<byte> utf8)
    {
        var limit = utf8.Length - utf8.Length / 8 - Header;
        if (limit <= 0)
        {
            return null;
        }
        var rented = ArrayPool<byte>.Shared.Rent(LZ4Codec.MaximumOutputSize(utf8.Length));
        try
        {
            var written = LZ4Codec.Encode(utf8, rented, LZ4Level.L00_FAST);
            if (written <= 0 || written > limit)
            {
                return null;
            }
            var packed = new byte[Header + written];
            packed[0] = Format;
            BinaryPrimitives.WriteInt32LittleEndian(packed.AsSpan(1), utf8.Length);
            rented.AsSpan(0, written).CopyTo(packed.AsSpan(Header));
            return packed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// A block's body (a JSON array of parts) in binary, or null when that saves less than an eighth or the block is
    /// not one this version writes: one format byte (2), then each part as one byte, <c>=</c> followed by the
    /// literal's length (4 bytes, little-endian) and its unescaped UTF-8, or <c>#</c> or <c>@</c> followed by the 16
    /// bytes of the hash (big-endian). A reference is 17 bytes instead of the 26 of its quoted text.
    /// </summary>
    public static byte[]? PackBlock(ReadOnlySpan<byte> json)
    {
        var packed = new ArrayBufferWriter<byte>(json.Length);
        packed.Write([BlockFormat]);
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }
        var text = ArrayPool<byte>.Shared.Rent(json.Length);
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                var length = reader.CopyString(text);
                if (length == 0)
                {
                    return null;
                }
                var kind = text[0];
                if (kind == (byte)'=')
                {
                    var span = packed.GetSpan(5 + length - 1);
                    span[0] = kind;
                    BinaryPrimitives.WriteInt32LittleEndian(span[1..], length - 1);
                    text.AsSpan(1, length - 1).CopyTo(span[5..]);
                    packed.Advance(5 + length - 1);
                }
                else if ((kind == (byte)'#' || kind == (byte)'@') && SharedForm.TryParseKey(text.AsSpan(1, length - 1), out var hash, out var hex) && !hex)
                {
                    var span = packed.GetSpan(17);
                    span[0] = kind;
                    BinaryPrimitives.WriteUInt128BigEndian(span[1..], hash);
                    packed.Advance(17);
                }
                else
                {
                    return null;
                }
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read() || packed.WrittenCount > json.Length - json.Length / 8)
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(text);
        }
        // Kept only when it gives back these very bytes (the block's hash is theirs).
        var result = packed.WrittenSpan.ToArray();
        var check = new ArrayBufferWriter<byte>(json.Length);
        UnpackBlock(result, check);
        return check.WrittenSpan.SequenceEqual(json) ? result : null;
    }

    private static void UnpackBlock(ReadOnlySpan<byte> packed, IBufferWriter<byte> destination)
    {
        var json = new ArrayBufferWriter<byte>(packed.Length * 2);
        using (var writer = new Utf8JsonWriter(json, SharedForm.WriterOptions))
        {
            writer.WriteStartArray();
            var at = 1;
            while (at < packed.Length)
            {
                var kind = packed[at];
                if (kind == (byte)'=' && at + 5 <= packed.Length && BinaryPrimitives.ReadInt32LittleEndian(packed[(at + 1)..]) is var length
                    && length >= 0 && length <= packed.Length - at - 5)
                {
                    SharedForm.WritePart(writer, kind, packed.Slice(at + 5, length));
                    at += 5 + length;
                }
                else if ((kind == (byte)'#' || kind == (byte)'@') && at + 17 <= packed.Length)
                {
                    SharedForm.WriteRef(writer, kind, BinaryPrimitives.ReadUInt128BigEndian(packed[(at + 1)..]));
                    at += 17;
                }
                else
                {
                    throw new InvalidDataException("A packed block of a shared value is damaged.");
                }
            }
            writer.WriteEndArray();
        }
        json.WrittenSpan.CopyTo(destination.GetSpan(json.WrittenCount));
        destination.Advance(json.WrittenCount);
    }

    /// <summary>Writes the text <paramref name="packed"/> holds (a piece's, or a block's JSON) into <paramref name="destination"/> (one <c>GetSpan</c>, one <c>Advance</c>).</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, IBufferWriter<byte> destination)
    {
        if (packed.Length >= 1 && packed[0] == BlockFormat)
        {
            UnpackBlock(packed, destination);
            return;
        }
        if (packed.Length >= 1 && packed[0] == Base64Format)
        {
            UnpackBase64(packed, destination);
            return;
        }
        if (packed.Length < Header || packed[0] != Format)
        {
            throw new InvalidDataException("A stored piece of a shared value is a BLOB that is not a packed piece.");
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(packed[1..]);
        // LZ4 expands at most about 255 times: a larger length is not what was packed (and is not allocated).
        if (length < 0 || length > (long)(packed.Length - Header) * 255 + 16)
        {
            throw new InvalidDataException("A packed piece of a shared value gives a length it cannot hold.");
        }
        var span = destination.GetSpan(length);
        var written = LZ4Codec.Decode(packed[Header..], span[..length]);
        if (written != length)
        {
            throw new InvalidDataException("A packed piece of a shared value does not decompress to the length it gives.");
        }
        destination.Advance(length);
    }

    /// <summary>The text <paramref name="packed"/> holds.</summary>
    public static byte[] Unpack(ReadOnlySpan<byte> packed)
    {
        var buffer = new ArrayBufferWriter<byte>(packed.Length * 4);
        Unpack(packed, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
