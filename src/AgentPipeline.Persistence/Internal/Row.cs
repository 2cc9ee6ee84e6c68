using System.Buffers;
using System.Data.Common;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The current row of a typed read (<see cref="Session.ReadAsync{T}"/>). The plain readers are for NOT NULL
/// columns; the <c>…OrNull</c> readers also take an ordinal of -1 (a column the read left out, such as a large
/// one) and return null for it; a provider may override them to read a value and its nullness at
/// once. One map function serves
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

    public abstract int Int(int ordinal);

    public abstract bool Bool(int ordinal);

    /// <summary>A JSON column as the caller wrote it: its text kept (<see cref="DbJson"/> escapes undone).</summary>
    public abstract JsonElement Json(int ordinal);

    /// <summary>Whether the column holds SQL NULL.</summary>
    public abstract bool IsNull(int ordinal);

    /// <summary>A column the read left out (ordinal -1) or one holding SQL NULL.</summary>
    protected bool Absent(int ordinal) => ordinal < 0 || IsNull(ordinal);

    public virtual Guid? GuidOrNull(int ordinal) => Absent(ordinal) ? null : Guid(ordinal);

    public virtual DateTimeOffset? TimeOrNull(int ordinal) => Absent(ordinal) ? null : Time(ordinal);

    public virtual long? LongOrNull(int ordinal) => Absent(ordinal) ? null : Long(ordinal);

    public virtual int? IntOrNull(int ordinal) => Absent(ordinal) ? null : Int(ordinal);

    public bool? BoolOrNull(int ordinal) => Absent(ordinal) ? null : Bool(ordinal);

    public virtual string? TextOrNull(int ordinal) => Absent(ordinal) ? null : Text(ordinal);

    public virtual JsonElement? JsonOrNull(int ordinal) => Absent(ordinal) ? null : Json(ordinal);

    public T? EnumOrNull<T>(int ordinal) where T : struct, Enum => Absent(ordinal) ? null : Enum<T>(ordinal);

    /// <summary>An enum column stored as one of data-model.md's strings.</summary>
    public T Enum<T>(int ordinal) where T : struct, Enum =>
        TryUtf8(ordinal, out var utf8) ? DbEnum<T>.Parse(utf8) : DbEnum<T>.Parse(String(ordinal));

    /// <summary>A text column's stored text as UTF-8, the store's escapes not undone (a piece of a shared value).</summary>
    public virtual byte[] StoredUtf8(int ordinal) => TryUtf8(ordinal, out var utf8) ? utf8.ToArray() : System.Text.Encoding.UTF8.GetBytes(String(ordinal));

    /// <summary>
    /// The same, written into <paramref name="destination"/> (one <c>GetSpan</c> of the text's length, one
    /// <c>Advance</c>): no array of its own (the pieces of a shared value, read into one buffer).
    /// </summary>
    public virtual void CopyStoredUtf8(int ordinal, IBufferWriter<byte> destination)
    {
        if (TryUtf8(ordinal, out var utf8))
        {
            utf8.CopyTo(destination.GetSpan(utf8.Length));
            destination.Advance(utf8.Length);
            return;
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(String(ordinal));
        bytes.CopyTo(destination.GetSpan(bytes.Length));
        destination.Advance(bytes.Length);
    }

    /// <summary>
    /// A <c>run_contents</c> body's text written into <paramref name="destination"/>: a BLOB is a packed
    /// piece (<see cref="Content.PackedPiece"/>, SQLite) and is unpacked; text is copied as <see cref="CopyStoredUtf8"/> does.
    /// </summary>
    public virtual void CopyPiece(int ordinal, IBufferWriter<byte> destination) => CopyStoredUtf8(ordinal, destination);

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

    public override int Int(int ordinal) => reader.GetInt32(ordinal);

    public override bool Bool(int ordinal) => dialect.ReadBool(reader, ordinal);

    public override JsonElement Json(int ordinal) => dialect.ReadJson(reader, ordinal);

    public override bool IsNull(int ordinal) => reader.IsDBNull(ordinal);

    public override byte[] StoredUtf8(int ordinal) => dialect.ReadUtf8(reader, ordinal);

    public override void CopyStoredUtf8(int ordinal, IBufferWriter<byte> destination) => dialect.CopyUtf8(reader, ordinal, destination);

    public override void CopyPiece(int ordinal, IBufferWriter<byte> destination)
    {
        if (reader.GetFieldType(ordinal) == typeof(byte[]))
        {
            Content.PackedPiece.Unpack(reader.GetFieldValue<byte[]>(ordinal), destination);
            return;
        }
        CopyStoredUtf8(ordinal, destination);
    }

    protected override bool TryUtf8(int ordinal, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        return false;
    }

    protected override string String(int ordinal) => reader.GetString(ordinal);
}
