using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Persistence.Schema;

/// <summary>
/// The EF Core model of the nine tables: the source of the migrations and of the CLI's reads.
/// Writes go through <see cref="PipelinePersistence"/>'s prepared commands instead.
/// </summary>
internal abstract class PipelineDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<SandboxRow> Sandboxes => Set<SandboxRow>();
    public DbSet<SandboxSnapshotRow> SandboxSnapshots => Set<SandboxSnapshotRow>();
    public DbSet<FeatureRunRow> FeatureRuns => Set<FeatureRunRow>();
    public DbSet<PhaseResultRow> PhaseResults => Set<PhaseResultRow>();
    public DbSet<AgentInvocationRow> AgentInvocations => Set<AgentInvocationRow>();
    public DbSet<AgentStepRow> AgentSteps => Set<AgentStepRow>();
    public DbSet<ToolCallRow> ToolCalls => Set<ToolCallRow>();
    public DbSet<MemoryRecordRow> MemoryRecords => Set<MemoryRecordRow>();
    public DbSet<CtaEventRow> CtaEvents => Set<CtaEventRow>();
    public DbSet<RunContentRow> RunContents => Set<RunContentRow>();

    protected abstract PipelineProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (Provider == PipelineProvider.PostgreSql)
        {
            modelBuilder.HasDefaultSchema("agent");
        }
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PipelineDbContext).Assembly);
        if (Provider == PipelineProvider.PostgreSql)
        {
            // Insertion order for memory records; SQLite's writer numbers them itself.
            modelBuilder.Entity<MemoryRecordRow>().Property(m => m.Seq).UseIdentityByDefaultColumn();
        }
        else
        {
            modelBuilder.Entity<MemoryRecordRow>().Property(m => m.Seq).ValueGeneratedNever();
        }
        SchemaConventions.Apply(modelBuilder, Provider);
    }
}
