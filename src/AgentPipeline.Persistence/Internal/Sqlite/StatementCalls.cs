using SQLitePCL;

namespace AgentPipeline.Persistence.Internal.Sqlite;

/// <summary>The few statement calls of <see cref="PooledConnection"/>, made either way (a struct each, so no cost).</summary>
internal interface IStatementCalls
{
    int BindText(RawStatement statement, int index, string text);

    int BindInt64(RawStatement statement, int index, long value);

    int BindBlob(RawStatement statement, int index, byte[] value);

    int Step(RawStatement statement);

    int Changes(sqlite3 db);

    /// <summary>Resets the statement and sets every parameter back to NULL.</summary>
    void Done(RawStatement statement);
}

/// <summary>Direct calls (<see cref="SqliteNative"/>).</summary>
internal readonly struct NativeCalls : IStatementCalls
{
    public int BindText(RawStatement statement, int index, string text) => SqliteNative.BindText(statement.Handle.DangerousGetHandle(), index, text);

    public int BindInt64(RawStatement statement, int index, long value) => SqliteNative.BindInt64(statement.Handle.DangerousGetHandle(), index, value);

    public int BindBlob(RawStatement statement, int index, byte[] value) => SqliteNative.BindBlob(statement.Handle.DangerousGetHandle(), index, value);

    public int Step(RawStatement statement) => SqliteNative.Step(statement.Handle.DangerousGetHandle());

    public int Changes(sqlite3 db) => SqliteNative.Changes(db.DangerousGetHandle());

    public void Done(RawStatement statement)
    {
        SqliteNative.Reset(statement.Handle.DangerousGetHandle());
        SqliteNative.ClearBindings(statement.Handle.DangerousGetHandle());
    }
}

/// <summary>SQLitePCLRaw's wrappers, when the direct calls are not available.</summary>
internal readonly struct WrapperCalls : IStatementCalls
{
    public int BindText(RawStatement statement, int index, string text) => raw.sqlite3_bind_text(statement.Handle, index, text);

    public int BindInt64(RawStatement statement, int index, long value) => raw.sqlite3_bind_int64(statement.Handle, index, value);

    public int BindBlob(RawStatement statement, int index, byte[] value) => raw.sqlite3_bind_blob(statement.Handle, index, value);

    public int Step(RawStatement statement) => raw.sqlite3_step(statement.Handle);

    public int Changes(sqlite3 db) => raw.sqlite3_changes(db);

    public void Done(RawStatement statement)
    {
        raw.sqlite3_reset(statement.Handle);
        raw.sqlite3_clear_bindings(statement.Handle);
    }
}
