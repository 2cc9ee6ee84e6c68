using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The opaque cursor of <see cref="PipelinePersistence.ListFeatureRunsAsync"/>: the last run a page
/// returned (its <c>created_at</c> and id, the keyset position) and a check over that position and
/// the query's filters. The check makes a cursor of another query, or one altered by hand, fail
/// clearly rather than silently skip or repeat runs. It is not a secret: it guards against
/// mistakes, not attackers (a cursor only ever narrows a query the caller may run anyway).
/// </summary>
internal static class FeatureRunCursor
{
    private const byte Version = 1;
    private const int CheckBytes = 8;
    private const int Length = 1 + 8 + 16 + CheckBytes;

    public static string Encode(DateTimeOffset createdAt, Guid id, byte[] filters)
    {
        Span<byte> bytes = stackalloc byte[Length];
        WritePosition(bytes, createdAt, id);
        Check(bytes[..^CheckBytes], filters, bytes[^CheckBytes..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static (DateTimeOffset CreatedAt, Guid Id) Decode(string cursor, byte[] filters, string field)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (cursor.Length != Base64Url.GetEncodedLength(Length)
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != Length || bytes[0] != Version)
        {
            throw new ArgumentException($"{field} is not a cursor of {nameof(PipelinePersistence.ListFeatureRunsAsync)}: pass a page's NextCursor as it was returned, or null for the first page.", field);
        }
        Span<byte> expected = stackalloc byte[CheckBytes];
        Check(bytes[..^CheckBytes], filters, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[^CheckBytes..]))
        {
            throw new ArgumentException($"{field} belongs to a query with other filters (or was altered): a cursor continues only the query whose page returned it. Start again without a cursor.", field);
        }
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ArgumentException($"{field} is not a cursor of {nameof(PipelinePersistence.ListFeatureRunsAsync)}.", field);
        }
        return (new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.Slice(9, 16), bigEndian: true));
    }

    private static void WritePosition(Span<byte> bytes, DateTimeOffset createdAt, Guid id)
    {
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], createdAt.UtcTicks);
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
}
