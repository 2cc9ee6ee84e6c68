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
        TreeIndexes(modelBuilder);
        SchemaConventions.Apply(modelBuilder, Provider);
    }

    /// <summary>
    /// The indexes GetRunTreeAsync reads a run's steps and tool calls through, in the order it asks
    /// for, so neither provider sorts them. On PostgreSQL the rows' large values are stored apart
    /// (TOAST), so reading the small columns from the table is cheap. On SQLite they are not: a
    /// small column stored after a large value (<c>created_at</c> after <c>request_body</c>) is
    /// reached by walking the large value's overflow pages, so the index also holds every column a
    /// tree without content reads (<see cref="Internal.Reading.TreeColumns"/>) and SQLite reads the
    /// index alone.
    /// </summary>
    private void TreeIndexes(ModelBuilder modelBuilder)
    {
        var sqlite = Provider == PipelineProvider.Sqlite;
        modelBuilder.Entity<AgentStepRow>().HasIndex(
            [.. Internal.Reading.TreeColumns.StepKey.Concat(sqlite ? Internal.Reading.TreeColumns.StepCovered : []).Select(Internal.Reading.TreeColumns.Property)],
            "IX_agent_steps_tree");
        modelBuilder.Entity<ToolCallRow>().HasIndex(
            [.. Internal.Reading.TreeColumns.ToolKey.Concat(sqlite ? Internal.Reading.TreeColumns.ToolCovered : []).Select(Internal.Reading.TreeColumns.Property)],
            "IX_tool_calls_tree");
    }
}
