using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentPipeline.Persistence.Schema;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without a database.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePipelineDbContext>
{
    public SqlitePipelineDbContext CreateDbContext(string[] args) =>
        ContextFactory.CreateSqlite("Data Source=design-time.db");
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlPipelineDbContext>
{
    public PostgreSqlPipelineDbContext CreateDbContext(string[] args) =>
        ContextFactory.CreatePostgreSql(new Npgsql.NpgsqlDataSourceBuilder("Host=localhost;Database=design_time").Build());
}
