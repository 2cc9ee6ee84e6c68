using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// A piece's body compressed with LZ4, as SQLite stores it (docs/storage.md, "Where the pieces are"):
/// a BLOB of one format byte (1), the text's UTF-8 length as 4 bytes little-endian, then one LZ4
/// block (the LZ4 block format). Only pieces are packed, never blocks (whose bodies the read
/// statement parses as JSON), and only when that saves at least an eighth; everything else stays
/// TEXT, so a body's storage class says which it is. The piece's hash is that of its text.
/// </summary>
internal static class PackedPiece
{
    private const byte Format = 1;
    private const int Header = 5;

    /// <summary>The packed body of <paramref name="utf8"/>, or null when packing it saves less than an eighth.</summary>
    public static byte[]? Pack(ReadOnlySpan<byte> utf8)
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

    /// <summary>Writes the text <paramref name="packed"/> holds into <paramref name="destination"/> (one <c>GetSpan</c>, one <c>Advance</c>).</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, IBufferWriter<byte> destination)
    {
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
