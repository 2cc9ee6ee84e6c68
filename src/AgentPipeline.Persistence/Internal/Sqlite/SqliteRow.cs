using System.Buffers.Text;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>The current row of a SQLite statement being stepped through <see cref="SqliteNative"/>.</summary>
internal sealed class SqliteRow(IntPtr stmt) : Row
{
    private IntPtr _stmt = stmt;

    /// <summary>After the last row: any further read fails instead of touching a reset statement.</summary>
    public void Invalidate() => _stmt = IntPtr.Zero;

    public override Guid Guid(int ordinal) => ParseGuid(Utf8(ordinal), ordinal);

    /// <summary>A stored id: the 36-character "D" form, whole (any case, as <see cref="System.Guid.Parse(string)"/> takes it).</summary>
    internal static Guid ParseGuid(ReadOnlySpan<byte> utf8, int ordinal) =>
        Utf8Parser.TryParse(utf8, out Guid value, out var used, 'D') && used == utf8.Length
            ? value
            : throw new InvalidDataException($"'{System.Text.Encoding.UTF8.GetString(utf8)}' in column {ordinal} is not a stored id.");

    public override DateTimeOffset Time(int ordinal) => DbTime.FromSqlite(Utf8(ordinal));

    // An INTEGER column's value as is; any other storage class only when its text is an integer.
    public override long Long(int ordinal)
    {
        ObjectDisposedException.ThrowIf(_stmt == IntPtr.Zero, this);
        if (SqliteNative.ColumnType(_stmt, ordinal) == raw.SQLITE_INTEGER)
        {
            return SqliteNative.ColumnInt64(_stmt, ordinal);
        }
        var utf8 = Utf8(ordinal);
        return Utf8Parser.TryParse(utf8, out long value, out var used) && used == utf8.Length
            ? value
            : throw new InvalidDataException($"'{System.Text.Encoding.UTF8.GetString(utf8)}' in column {ordinal} is not an integer.");
    }

    public override string Text(int ordinal) => DbText.Decode(Utf8(ordinal));

    public override int Int(int ordinal) => checked((int)Long(ordinal));

    // Stored as INTEGER 0 or 1.
    public override bool Bool(int ordinal) => Long(ordinal) != 0;

    public override System.Text.Json.JsonElement Json(int ordinal) => DbJson.Parse(Utf8(ordinal));

    public override bool IsNull(int ordinal)
    {
        ObjectDisposedException.ThrowIf(_stmt == IntPtr.Zero, this);
        return SqliteNative.ColumnType(_stmt, ordinal) == raw.SQLITE_NULL;
    }

    // The nullable readers fetch a text column once: its bytes, or null for SQL NULL (no separate null check).
    public override Guid? GuidOrNull(int ordinal) => TryUtf8OrNull(ordinal, out var utf8) ? ParseGuid(utf8, ordinal) : null;

    public override DateTimeOffset? TimeOrNull(int ordinal) => TryUtf8OrNull(ordinal, out var utf8) ? DbTime.FromSqlite(utf8) : null;

    public override string? TextOrNull(int ordinal) => TryUtf8OrNull(ordinal, out var utf8) ? DbText.Decode(utf8) : null;

    public override System.Text.Json.JsonElement? JsonOrNull(int ordinal) => TryUtf8OrNull(ordinal, out var utf8) ? DbJson.Parse(utf8) : null;

    public override long? LongOrNull(int ordinal) => ordinal < 0 || IsNull(ordinal) ? null : Long(ordinal);

    public override int? IntOrNull(int ordinal) => ordinal < 0 || IsNull(ordinal) ? null : Int(ordinal);

    private bool TryUtf8OrNull(int ordinal, out ReadOnlySpan<byte> utf8)
    {
        ObjectDisposedException.ThrowIf(_stmt == IntPtr.Zero, this);
        utf8 = default;
        return ordinal >= 0 && SqliteNative.TryColumnUtf8(_stmt, ordinal, out utf8);
    }

    public override void CopyPiece(int ordinal, System.Buffers.IBufferWriter<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_stmt == IntPtr.Zero, this);
        if (SqliteNative.ColumnType(_stmt, ordinal) == raw.SQLITE_BLOB)
        {
            Content.PackedPiece.Unpack(SqliteNative.ColumnBlob(_stmt, ordinal), destination);
            return;
        }
        CopyStoredUtf8(ordinal, destination);
    }

    protected override bool TryUtf8(int ordinal, out ReadOnlySpan<byte> utf8)
    {
        utf8 = Utf8(ordinal);
        return true;
    }

    protected override string String(int ordinal) => System.Text.Encoding.UTF8.GetString(Utf8(ordinal));

    // These readers are for NOT NULL columns; a NULL is refused rather than read as "".
    private ReadOnlySpan<byte> Utf8(int ordinal)
    {
        ObjectDisposedException.ThrowIf(_stmt == IntPtr.Zero, this);
        return SqliteNative.TryColumnUtf8(_stmt, ordinal, out var utf8)
            ? utf8
            : throw new InvalidDataException($"Column {ordinal} is NULL.");
    }
}
