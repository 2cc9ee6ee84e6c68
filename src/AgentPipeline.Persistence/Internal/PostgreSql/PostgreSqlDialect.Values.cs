using System.Data.Common;
using System.Text.Json;
using NpgsqlTypes;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>How values are bound and read: native uuid, timestamptz, boolean and json (bound as text, stored as written).</summary>
internal sealed partial class PostgreSqlDialect
{
    public override object ToDb(Col type, object? value) => value switch
    {
        null => DBNull.Value,
        Content.StoredText stored => stored.Text,
        JsonElement json => DbJson.ToText(json),
        string text => DbText.Encode(text),
        _ => value,
    };

    public override Guid ReadGuid(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    public override bool ReadBool(DbDataReader reader, int ordinal) => reader.GetBoolean(ordinal);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>
    /// Parsed from the column's UTF-8 bytes (one copy, then the element's own) rather than from a
    /// UTF-16 string (two, then a transcoding): reading a 100 MB value allocates about half as much.
    /// </summary>
    public override JsonElement ReadJson(DbDataReader reader, int ordinal)
    {
        var stream = reader.GetStream(ordinal);
        using (stream)
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return DbJson.Parse(bytes); // json's binary form is its text
        }
    }

    /// <summary>Text's binary form is its UTF-8: read as bytes, without a UTF-16 string between.</summary>
    public override byte[] ReadUtf8(DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public override void CopyUtf8(DbDataReader reader, int ordinal, System.Buffers.IBufferWriter<byte> destination)
    {
        using var stream = reader.GetStream(ordinal);
        var length = checked((int)stream.Length);
        stream.ReadExactly(destination.GetSpan(length)[..length]);
        destination.Advance(length);
    }

    internal static NpgsqlDbType TypeOf(Col type) => type switch
    {
        Col.Text => NpgsqlDbType.Text,
        Col.Int => NpgsqlDbType.Integer,
        Col.Long => NpgsqlDbType.Bigint,
        Col.Bool => NpgsqlDbType.Boolean,
        Col.Guid => NpgsqlDbType.Uuid,
        Col.Time => NpgsqlDbType.TimestampTz,
        Col.Json => NpgsqlDbType.Json,
        _ => throw new InvalidOperationException($"Unknown column type {type}."),
    };
}
