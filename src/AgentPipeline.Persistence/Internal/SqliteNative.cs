using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SQLitePCL;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The handful of SQLite C functions on the hot paths (bind, step, read a column), called through
/// function pointers on raw handles. SQLitePCLRaw's wrappers take each statement as a
/// <see cref="SafeHandle"/>: every call adds and releases a reference with interlocked operations,
/// and binding a string allocates its UTF-8 copy. Reading 1,000 memory records that way spent a
/// quarter of its time in SafeHandle bookkeeping (seen with perf).
/// <para>
/// The functions come from the very library SQLitePCLRaw's provider uses (it names it; the
/// process has it loaded already), so handles from Microsoft.Data.Sqlite are valid here. Callers
/// keep the owning <see cref="sqlite3_stmt"/> and <see cref="sqlite3"/> alive and use each handle
/// from one thread at a time, as the connection pool does.
/// </para>
/// </summary>
internal static unsafe class SqliteNative
{
    public const int Row = 100;
    public const int Done = 101;
    public const int Null = 5;

    private static readonly IntPtr Transient = -1; // SQLITE_TRANSIENT: SQLite copies the value

    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int> StepFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int> ResetFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int> ClearBindingsFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int> ChangesFn;
    private static readonly delegate* unmanaged[Cdecl]<IntPtr, int, byte*, int, IntPtr, int> BindTextFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int> BindInt64Fn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> BindNullFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnTypeFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long> ColumnInt64Fn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*> ColumnTextFn;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnBytesFn;

#pragma warning disable CA1810 // the exports are looked up once, together, with one clear failure
    static SqliteNative()
    {
        // Microsoft.Data.Sqlite has set the provider by the time a pooled connection exists.
        var name = raw.GetNativeLibraryName();
        // Resolve the name the way the provider's own [DllImport] did: from its assembly.
        var provider = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name?.StartsWith("SQLitePCLRaw.provider", StringComparison.Ordinal) == true);
        IntPtr library = default;
        if (!(provider is not null && NativeLibrary.TryLoad(name, provider, null, out library))
            && !NativeLibrary.TryLoad(name, typeof(SqliteNative).Assembly, null, out library)
            && !NativeLibrary.TryLoad(name, out library))
        {
            throw new InvalidOperationException($"The SQLite library '{name}' used by SQLitePCLRaw could not be loaded for direct calls.");
        }
        IntPtr Export(string function) => NativeLibrary.TryGetExport(library, function, out var address)
            ? address
            : throw new InvalidOperationException($"The SQLite library '{name}' has no {function}.");
        StepFn = (delegate* unmanaged[Cdecl]<IntPtr, int>)Export("sqlite3_step");
        ResetFn = (delegate* unmanaged[Cdecl]<IntPtr, int>)Export("sqlite3_reset");
        ClearBindingsFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int>)Export("sqlite3_clear_bindings");
        ChangesFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int>)Export("sqlite3_changes");
        BindTextFn = (delegate* unmanaged[Cdecl]<IntPtr, int, byte*, int, IntPtr, int>)Export("sqlite3_bind_text");
        BindInt64Fn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long, int>)Export("sqlite3_bind_int64");
        BindNullFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_bind_null");
        ColumnTypeFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_column_type");
        ColumnInt64Fn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long>)Export("sqlite3_column_int64");
        ColumnTextFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*>)Export("sqlite3_column_text");
        ColumnBytesFn = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)Export("sqlite3_column_bytes");
    }
#pragma warning restore CA1810

    public static int Step(IntPtr stmt) => StepFn(stmt);

    public static int Reset(IntPtr stmt) => ResetFn(stmt);

    public static int ClearBindings(IntPtr stmt) => ClearBindingsFn(stmt);

    public static int Changes(IntPtr db) => ChangesFn(db);

    public static int BindInt64(IntPtr stmt, int index, long value) => BindInt64Fn(stmt, index, value);

    public static int BindNull(IntPtr stmt, int index) => BindNullFn(stmt, index);

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

    public static int ColumnType(IntPtr stmt, int column) => ColumnTypeFn(stmt, column);

    public static long ColumnInt64(IntPtr stmt, int column) => ColumnInt64Fn(stmt, column);

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
