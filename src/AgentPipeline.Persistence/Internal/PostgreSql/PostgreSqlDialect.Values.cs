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
        JsonElement json => DbJson.ToText(json),
        string text => DbText.Encode(text),
        _ => value,
    };

    public override Guid ReadGuid(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    public override bool ReadBool(DbDataReader reader, int ordinal) => reader.GetBoolean(ordinal);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

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
