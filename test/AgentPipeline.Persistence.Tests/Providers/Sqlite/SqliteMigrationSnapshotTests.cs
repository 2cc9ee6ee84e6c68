namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>The EF Core model and the SQLite migrations snapshot agree: no migration is missing.</summary>
public sealed class SqliteMigrationSnapshotTests
{
    [Fact]
    public void Sqlite_model_has_no_changes_missing_from_its_migrations()
    {
        using var context = AgentPipeline.Persistence.Schema.ContextFactory.CreateSqlite("Data Source=:memory:");
        Assert.False(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.HasPendingModelChanges(context.Database));
    }
}
