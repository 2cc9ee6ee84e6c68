using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class SandboxSnapshotConfiguration : IEntityTypeConfiguration<SandboxSnapshotRow>
{
    public void Configure(EntityTypeBuilder<SandboxSnapshotRow> b)
    {
        b.ToTable("sandbox_snapshots");
        b.HasKey(x => x.Id);
        b.HasOne<SandboxRow>().WithMany().HasForeignKey(x => x.SandboxId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.SandboxId);
        b.HasIndex(x => x.RunId);
    }
}
