using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The one opaque cursor of the listing functions (<see cref="PipelinePersistence.ListFeatureRunsAsync"/>,
/// <see cref="PipelinePersistence.ListCtaEventsAsync"/>): base64url of the last row a page returned
/// (an instant and an id, the keyset position) and a check over that position and the query's
/// filters in their canonical form (<see cref="Filters"/>, which starts with the listing's name). The
/// check makes a cursor of another function, of the same function with other filters, or one
/// altered by hand fail clearly rather than silently skip or repeat rows. It is not a secret: it
/// guards against mistakes, not attackers (a cursor only ever narrows a query the caller may run anyway).
/// </summary>
internal static class KeysetCursor
{
    private const byte Version = 1;
    private const int CheckBytes = 8;
    private const int Length = 1 + 8 + 16 + CheckBytes;

    public static string Encode(DateTimeOffset at, Guid id, byte[] filters)
    {
        Span<byte> bytes = stackalloc byte[Length];
        WritePosition(bytes, at, id);
        Check(bytes[..^CheckBytes], filters, bytes[^CheckBytes..]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The position <paramref name="cursor"/> holds; an <see cref="ArgumentException"/> naming <paramref name="field"/> when it is not one <paramref name="function"/> returned for these filters.</summary>
    public static (DateTimeOffset At, Guid Id) Decode(string cursor, byte[] filters, string field, string function)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (cursor.Length != Base64Url.GetEncodedLength(Length)
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != Length || bytes[0] != Version)
        {
            throw new ArgumentException($"{field} is not a cursor of {function}: pass a page's NextCursor as it was returned, or null for the first page.", field);
        }
        Span<byte> expected = stackalloc byte[CheckBytes];
        Check(bytes[..^CheckBytes], filters, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[^CheckBytes..]))
        {
            throw new ArgumentException($"{field} belongs to another query (another function, other filters) or was altered: a cursor continues only the {function} query whose page returned it. Start again without a cursor.", field);
        }
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ArgumentException($"{field} is not a cursor of {function}.", field);
        }
        return (new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.Slice(9, 16), bigEndian: true));
    }

    private static void WritePosition(Span<byte> bytes, DateTimeOffset at, Guid id)
    {
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], at.UtcTicks);
        if (!id.TryWriteBytes(bytes.Slice(9, 16), bigEndian: true, out _))
        {
            throw new InvalidOperationException("A Guid takes 16 bytes.");
        }
    }

    private static void Check(ReadOnlySpan<byte> position, byte[] filters, Span<byte> check)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(position);
        sha.AppendData(filters);
        sha.GetHashAndReset(hash);
        hash[..CheckBytes].CopyTo(check);
    }

    /// <summary>
    /// A query's filters as bytes, the listing's name first, then each filter tagged and
    /// length-prefixed, so no two queries (of one listing or of two) share a form.
    /// </summary>
    public sealed class Filters
    {
        private readonly MemoryStream _stream = new();
        private readonly BinaryWriter _writer;

        public Filters(string listing)
        {
            _writer = new BinaryWriter(_stream, Encoding.UTF8, leaveOpen: true);
            _writer.Write(listing);
        }

        public Filters Text(string? value)
        {
            _writer.Write(value is not null);
            if (value is not null)
            {
                _writer.Write(value.Length);
                foreach (var c in value)
                {
                    _writer.Write((ushort)c); // code units, so lone surrogates count too
                }
            }
            return this;
        }

        public Filters Long(long? value)
        {
            _writer.Write(value is not null);
            _writer.Write(value ?? 0);
            return this;
        }

        public Filters Guid(Guid? value)
        {
            _writer.Write(value is not null);
            _writer.Write((value ?? System.Guid.Empty).ToByteArray(bigEndian: true));
            return this;
        }

        public byte[] ToArray()
        {
            _writer.Flush();
            return _stream.ToArray();
        }
    }
}
