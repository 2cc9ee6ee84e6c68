using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class MemoryRecordConfiguration : IEntityTypeConfiguration<MemoryRecordRow>
{
    public void Configure(EntityTypeBuilder<MemoryRecordRow> b)
    {
        b.ToTable("memory_records");
        b.HasKey(x => x.Id);
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<PhaseResultRow>().WithMany().HasForeignKey(x => x.PhaseResultId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentInvocationRow>().WithMany().HasForeignKey(x => x.InvocationId).OnDelete(DeleteBehavior.Cascade);
        // seq is the insertion order that breaks created_at ties (api.md rule 8).
        b.HasIndex(x => x.Seq).IsUnique();
        b.HasIndex(x => new { x.RunId, x.CreatedAt, x.Seq });
        b.HasIndex(x => x.PhaseResultId);
        b.HasIndex(x => x.InvocationId);
    }
}
