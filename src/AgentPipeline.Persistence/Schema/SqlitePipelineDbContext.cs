using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Persistence.Schema;

/// <summary>The model on SQLite; its migrations live in <c>Migrations/Sqlite</c>.</summary>
internal sealed class SqlitePipelineDbContext(DbContextOptions<SqlitePipelineDbContext> options) : PipelineDbContext(options)
{
    protected override PipelineProvider Provider => PipelineProvider.Sqlite;
}
