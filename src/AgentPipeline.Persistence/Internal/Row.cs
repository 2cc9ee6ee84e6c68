using System.Buffers.Text;
using System.Data.Common;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The current row of a typed read (<see cref="Session.ReadAsync{T}"/>), for NOT NULL columns. One map function serves
/// both providers: on SQLite it reads the column bytes SQLite hands out, with no intermediate
/// strings for ids, instants and enum values; elsewhere it reads a <see cref="DbDataReader"/>.
/// </summary>
internal abstract class Row
{
    public abstract Guid Guid(int ordinal);

    public abstract DateTimeOffset Time(int ordinal);

    public abstract long Long(int ordinal);

    /// <summary>A text column as the caller wrote it (<see cref="DbText"/> escapes undone).</summary>
    public abstract string Text(int ordinal);

    /// <summary>An enum column stored as one of data-model.md's strings.</summary>
    public T Enum<T>(int ordinal) where T : struct, Enum =>
        TryUtf8(ordinal, out var utf8) ? DbEnum<T>.Parse(utf8) : DbEnum<T>.Parse(String(ordinal));

    /// <summary>The column's stored UTF-8 bytes, when the provider exposes them.</summary>
    protected abstract bool TryUtf8(int ordinal, out ReadOnlySpan<byte> utf8);

    /// <summary>The column's stored string, as is.</summary>
    protected abstract string String(int ordinal);
}

/// <summary>A row of a <see cref="DbDataReader"/>, read the dialect's way.</summary>
internal sealed class ReaderRow(Dialect dialect, DbDataReader reader) : Row
{
    public override Guid Guid(int ordinal) => dialect.ReadGuid(reader, ordinal);

    public override DateTimeOffset Time(int ordinal) => dialect.ReadTime(reader, ordinal);

    public override long Long(int ordinal) => reader.GetInt64(ordinal);

    public override string Text(int ordinal) => dialect.ReadText(reader, ordinal);

    protected override bool TryUtf8(int ordinal, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        return false;
    }

    protected override string String(int ordinal) => reader.GetString(ordinal);
}

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

    // An INTEGER column's text, as SQLite renders it for column_text.
    public override long Long(int ordinal)
    {
        var utf8 = Utf8(ordinal);
        return Utf8Parser.TryParse(utf8, out long value, out var used) && used == utf8.Length
            ? value
            : throw new InvalidDataException($"'{System.Text.Encoding.UTF8.GetString(utf8)}' in column {ordinal} is not an integer.");
    }

    public override string Text(int ordinal) => DbText.Decode(Utf8(ordinal));

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
