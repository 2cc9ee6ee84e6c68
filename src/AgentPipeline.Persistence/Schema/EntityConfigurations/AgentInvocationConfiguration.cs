using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class AgentInvocationConfiguration : IEntityTypeConfiguration<AgentInvocationRow>
{
    public void Configure(EntityTypeBuilder<AgentInvocationRow> b)
    {
        b.ToTable("agent_invocations");
        b.HasKey(x => x.Id);
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<PhaseResultRow>().WithMany().HasForeignKey(x => x.PhaseResultId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentInvocationRow>().WithMany().HasForeignKey(x => x.ParentInvocationId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.RunId);
        b.HasIndex(x => x.PhaseResultId);
        b.HasIndex(x => x.ParentInvocationId);
        // ListInvocationUsageAsync over a time range without a run: its rows in this order, from where the range starts.
        b.HasIndex(x => new { x.StartedAt, x.Id });
        foreach (var json in new[]
        {
            nameof(AgentInvocationRow.InputMessages), nameof(AgentInvocationRow.OutputReasoning), nameof(AgentInvocationRow.OutputContent),
            nameof(AgentInvocationRow.OutputFiles), nameof(AgentInvocationRow.OutputSources), nameof(AgentInvocationRow.ResponseMessages),
            nameof(AgentInvocationRow.ResponseHeaders), nameof(AgentInvocationRow.ResponseBody), nameof(AgentInvocationRow.ProviderMetadata),
            nameof(AgentInvocationRow.Warnings), nameof(AgentInvocationRow.RequestBody), nameof(AgentInvocationRow.UsageRaw),
        })
        {
            b.Property<string?>(json).IsJson();
        }
    }
}
