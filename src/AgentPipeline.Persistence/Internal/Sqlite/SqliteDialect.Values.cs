using System.Data.Common;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>How values are stored: ids and instants as text, booleans as integers 0/1, JSON as text.</summary>
internal sealed partial class SqliteDialect
{
    /// <summary>SQLite has no compression of its own: a piece is stored LZ4-packed when that saves (docs/storage.md).</summary>
    public override bool PacksPieces => true;

    public override object ToDb(Col type, object? value) => value is null
        ? DBNull.Value
        : value is Content.StoredText stored ? stored.Text
        : value is byte[] packed ? packed
        : type switch
        {
            Col.Text => DbText.Encode((string)value),
            Col.Guid => ((Guid)value).ToString("D"),
            Col.Time => DbTime.ToSqlite((DateTimeOffset)value),
            Col.Json => DbJson.ToText((JsonElement)value),
            _ => value,
        };

    public override Guid ReadGuid(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    public override bool ReadBool(DbDataReader reader, int ordinal) => reader.GetInt64(ordinal) != 0;

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => DbTime.FromSqlite(reader.GetString(ordinal));
}
