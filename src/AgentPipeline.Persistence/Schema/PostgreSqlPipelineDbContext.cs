using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Persistence.Schema;

/// <summary>The model on PostgreSQL (schema <c>agent</c>); its migrations live in <c>Migrations/PostgreSql</c>.</summary>
internal sealed class PostgreSqlPipelineDbContext(DbContextOptions<PostgreSqlPipelineDbContext> options) : PipelineDbContext(options)
{
    protected override PipelineProvider Provider => PipelineProvider.PostgreSql;
}
