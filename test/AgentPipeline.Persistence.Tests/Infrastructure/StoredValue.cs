using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>Reads one column back through the store's own decoding, as the user's value.</summary>
public static class StoredValue
{
    public static Task<object?> TextAsync(PipelineDb db, string table, object id, string column) => ReadAsync(db, table, id, column, Col.Text);

    public static Task<object?> JsonAsync(PipelineDb db, string table, object id, string column) => ReadAsync(db, table, id, column, Col.Json);

    private static async Task<object?> ReadAsync(PipelineDb db, string table, object id, string column, Col type)
    {
        await using var session = await db.Dialect.OpenAsync(write: false, CancellationToken.None);
        var sql = new Sql($"SELECT {column} FROM {{s}}.{table} WHERE id = @id", [new Param("id", id is Guid ? Col.Guid : Col.Text)], [new Param(column, type)]);
        var row = await session.QueryRowAsync(sql, [id], CancellationToken.None);
        return Assert.IsType<object?[]>(row)[0];
    }
}
