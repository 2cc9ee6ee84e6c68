using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class RunContentConfiguration : IEntityTypeConfiguration<RunContentRow>
{
    public void Configure(EntityTypeBuilder<RunContentRow> b)
    {
        b.ToTable("run_contents");
        // Shared within a run only: found, purged and co-located by run_id.
        b.HasKey(x => new { x.RunId, x.Hash });
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
