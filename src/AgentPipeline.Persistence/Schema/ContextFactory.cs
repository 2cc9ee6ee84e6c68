using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AgentPipeline.Persistence.Schema;

internal static class ContextFactory
{
    public const string HistoryTable = "__EFMigrationsHistory";

    public static SqlitePipelineDbContext CreateSqlite(string connectionString) =>
        new(new DbContextOptionsBuilder<SqlitePipelineDbContext>()
            .UseSqlite(connectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options);

    public static PostgreSqlPipelineDbContext CreatePostgreSql(NpgsqlDataSource dataSource) =>
        new(new DbContextOptionsBuilder<PostgreSqlPipelineDbContext>()
            .UseNpgsql(dataSource, o => o.MigrationsHistoryTable(HistoryTable, "agent"))
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options);
}
