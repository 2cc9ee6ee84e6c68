using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class CtaEventConfiguration : IEntityTypeConfiguration<CtaEventRow>
{
    public void Configure(EntityTypeBuilder<CtaEventRow> b)
    {
        b.ToTable("cta_events");
        b.HasKey(x => x.Id);
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<PhaseResultRow>().WithMany().HasForeignKey(x => x.PhaseResultId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentInvocationRow>().WithMany().HasForeignKey(x => x.InvocationId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.RunId);
        b.HasIndex(x => x.PhaseResultId);
        b.HasIndex(x => x.InvocationId);
        // The open CTAs' index is defined with the provider in view: PipelineDbContext.OpenCtaIndex.
        b.Property(x => x.RequestOptions).IsJson();
    }
}
