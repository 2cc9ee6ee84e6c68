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
        // Open CTAs, oldest first: few among many resolved ones (ListCtaEvents of open CTAs). A timeout
        // sets responded_at too, so "responded_at IS NULL" is the whole of "open", as every query spells it.
        b.HasIndex(x => new { x.RequestedAt, x.Id }, "IX_cta_events_open_requested_at_id")
            .HasFilter("responded_at IS NULL");
        b.Property(x => x.RequestOptions).IsJson();
    }
}
