using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class PhaseResultConfiguration : IEntityTypeConfiguration<PhaseResultRow>
{
    public void Configure(EntityTypeBuilder<PhaseResultRow> b)
    {
        b.ToTable("phase_results");
        b.HasKey(x => x.Id);
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.RunId, x.StartedAt });
        b.Property(x => x.Output).IsJson();
    }
}
