using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class FeatureRunConfiguration : IEntityTypeConfiguration<FeatureRunRow>
{
    public void Configure(EntityTypeBuilder<FeatureRunRow> b)
    {
        b.ToTable("feature_runs");
        b.HasKey(x => x.Id);
        b.HasOne<SandboxRow>().WithMany().HasForeignKey(x => x.SandboxId).OnDelete(DeleteBehavior.Restrict);
        // One run per sandbox (1-1).
        b.HasIndex(x => x.SandboxId).IsUnique();
        b.HasIndex(x => x.CreatedAt);
    }
}
