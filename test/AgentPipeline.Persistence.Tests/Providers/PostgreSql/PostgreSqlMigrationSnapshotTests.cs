namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>The EF Core model and the PostgreSQL migrations snapshot agree: no migration is missing.</summary>
public sealed class PostgreSqlMigrationSnapshotTests
{
    [Fact]
    public void PostgreSql_model_has_no_changes_missing_from_its_migrations()
    {
        using var source = new Npgsql.NpgsqlDataSourceBuilder("Host=localhost;Database=model_check").Build();
        using var context = AgentPipeline.Persistence.Schema.ContextFactory.CreatePostgreSql(source);
        Assert.False(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.HasPendingModelChanges(context.Database));
    }
}
