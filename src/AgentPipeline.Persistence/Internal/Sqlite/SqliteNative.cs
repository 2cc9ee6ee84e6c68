using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>
/// The handful of SQLite C functions on the hot paths (bind, step, read a column), called through
/// function pointers on raw handles. SQLitePCLRaw's wrappers take each statement as a
/// <see cref="SafeHandle"/>: every call adds and releases a reference with interlocked operations,
/// and binding a string allocates its UTF-8 copy. Reading 1,000 memory records that way spent a
/// quarter of its time in SafeHandle bookkeeping (seen with perf).
/// <para>
/// The functions come from the very library SQLitePCLRaw's provider uses (it names it; the
/// process has it loaded already; <see cref="Available"/> says whether that was proved), so
/// handles from Microsoft.Data.Sqlite are valid here. Callers
/// keep the owning <see cref="sqlite3_stmt"/> and <see cref="sqlite3"/> alive and use each handle
/// from one thread at a time, as the connection pool does.
/// </para>
/// </summary>
internal static unsafe class SqliteNative
{
    private static readonly IntPtr Transient = -1; // SQLITE_TRANSIENT: SQLite copies the value

    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int> StepFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int> ResetFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int> ClearBindingsFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int> ChangesFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int, byte*, int, IntPtr, int> BindTextFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int, long, int> BindInt64Fn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int, byte*, int, IntPtr, int> BindBlobFn;
    // Reading a column of the current row skips the GC transition: it is called twice per column
    // per row, and with the transitions reading 1,000 memory records took 1.3-1.9 ms instead of
    // 0.64-0.9 ms (measured with --loop GetMemoryRecords). It is short,
    // and on a valid statement and an in-range column it neither blocks (the connection's mutex
    // is only ever taken by the one thread using the connection), nor allocates for stored
    // UTF-8 text, nor reaches SQLite's log callback.
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*> ColumnTextFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnBytesFn;
    // The same holds for a column's type and its integer value, read without converting it to text
    // (column_text of an INTEGER makes SQLite allocate its decimal form: a malloc per column per row).
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnTypeFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long> ColumnInt64Fn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*> ColumnBlobFn;

    /// <summary>
    /// Whether the direct calls can be used: the library SQLitePCLRaw's provider uses was found
    /// and proved to be the very copy Microsoft.Data.Sqlite's handles belong to. When not (a host
    /// that loads SQLite its own way), the store keeps to SQLitePCLRaw's wrappers.
    /// </summary>
    public static bool Available { get; }

    /// <summary>Why <see cref="Available"/> is false (for the log and the tests).</summary>
    public static string? Unavailable { get; }

#pragma warning disable CA1810 // the exports are looked up once, together, with one outcome
#pragma warning disable CA1031 // any failure here only means: use the wrappers
    static SqliteNative()
    {
        try
        {
            // Microsoft.Data.Sqlite sets SQLitePCLRaw's provider up in SqliteConnection's type initializer.
            RuntimeHelpers.RunClassConstructor(typeof(Microsoft.Data.Sqlite.SqliteConnection).TypeHandle);
            var name = raw.GetNativeLibraryName();
            // Resolve the name the way the provider's own [DllImport] does: from its assembly.
            var provider = AppDomain.CurrentDomain.GetAssemblies()
                .FirstOrDefault(a => a.GetName().Name?.StartsWith("SQLitePCLRaw.provider", StringComparison.Ordinal) == true);
            if (provider is null || !NativeLibrary.TryLoad(name, provider, null, out var library))
            {
                Unavailable = $"the SQLite library '{name}' was not found next to SQLitePCLRaw's provider";
                return;
            }
            // The same copy, not merely the same name: its version string lives at the same address.
            var version = (delegate* unmanaged[Cdecl]<byte*>)NativeLibrary.GetExport(library, "sqlite3_libversion");
            fixed (byte* theirs = raw.sqlite3_libversion())
            {
                if (version() != theirs)
                {
                    Unavailable = $"'{name}' resolves to another copy of SQLite than the one SQLitePCLRaw uses";
                    return;
                }
            }
            StepFn = (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_step");
            ResetFn = (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_reset");
            ClearBindingsFn = (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_clear_bindings");
            ChangesFn = (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_changes");
            BindTextFn = (delegate* unmanaged[Cdecl]<IntPtr, int, byte*, int, IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_bind_text");
            BindInt64Fn = (delegate* unmanaged[Cdecl]<IntPtr, int, long, int>)NativeLibrary.GetExport(library, "sqlite3_bind_int64");
            BindBlobFn = (delegate* unmanaged[Cdecl]<IntPtr, int, byte*, int, IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_bind_blob");
            ColumnTextFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*>)NativeLibrary.GetExport(library, "sqlite3_column_text");
            ColumnBytesFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)NativeLibrary.GetExport(library, "sqlite3_column_bytes");
            ColumnTypeFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)NativeLibrary.GetExport(library, "sqlite3_column_type");
            ColumnInt64Fn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long>)NativeLibrary.GetExport(library, "sqlite3_column_int64");
            ColumnBlobFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*>)NativeLibrary.GetExport(library, "sqlite3_column_blob");
            Available = true;
        }
        catch (Exception e)
        {
            Unavailable = e.Message;
        }
    }
#pragma warning restore CA1031
#pragma warning restore CA1810

    public static int Step(IntPtr stmt) => StepFn(stmt);

    public static int Reset(IntPtr stmt) => ResetFn(stmt);

    public static int ClearBindings(IntPtr stmt) => ClearBindingsFn(stmt);

    public static int Changes(IntPtr db) => ChangesFn(db);

    public static int BindInt64(IntPtr stmt, int index, long value) => BindInt64Fn(stmt, index, value);

    /// <summary>Binds bytes as a BLOB (SQLite copies them); the store binds only non-empty ones (an empty array would bind NULL).</summary>
    public static int BindBlob(IntPtr stmt, int index, byte[] value)
    {
        fixed (byte* p = value)
        {
            return BindBlobFn(stmt, index, p, value.Length, Transient);
        }
    }

    /// <summary>Binds a string as UTF-8 (SQLite copies it), encoded without a heap copy for short values.</summary>
    public static int BindText(IntPtr stmt, int index, string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max <= 1024)
        {
            var buffer = stackalloc byte[max];
            var length = Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, max));
            return BindTextFn(stmt, index, buffer, length, Transient);
        }
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(value));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, rented);
            fixed (byte* p = rented)
            {
                return BindTextFn(stmt, index, p, length, Transient);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The column's storage class in the current row (<c>SQLITE_INTEGER</c> … <c>SQLITE_NULL</c>), converting nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ColumnType(IntPtr stmt, int column) => ColumnTypeFn(stmt, column);

    /// <summary>An INTEGER column's value (callers check <see cref="ColumnType"/> first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ColumnInt64(IntPtr stmt, int column) => ColumnInt64Fn(stmt, column);

    /// <summary>A BLOB column's bytes (blob first, then its length, SQLite's documented order); empty for a zero-length BLOB.</summary>
    public static ReadOnlySpan<byte> ColumnBlob(IntPtr stmt, int column)
    {
        var blob = ColumnBlobFn(stmt, column);
        return blob is null ? default : new ReadOnlySpan<byte>(blob, ColumnBytesFn(stmt, column));
    }

    /// <summary>
    /// A text column's UTF-8 bytes, valid until the next step or reset of the statement; false
    /// for SQL NULL.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryColumnUtf8(IntPtr stmt, int column, out ReadOnlySpan<byte> utf8)
    {
        var text = ColumnTextFn(stmt, column); // text first, then its length (SQLite's documented order)
        utf8 = text is null ? default : new ReadOnlySpan<byte>(text, ColumnBytesFn(stmt, column));
        return text is not null;
    }
}
