using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class AgentStepConfiguration : IEntityTypeConfiguration<AgentStepRow>
{
    public void Configure(EntityTypeBuilder<AgentStepRow> b)
    {
        b.ToTable("agent_steps");
        b.HasKey(x => x.Id);
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentInvocationRow>().WithMany().HasForeignKey(x => x.InvocationId).OnDelete(DeleteBehavior.Cascade);
        // The natural key of a step: a replay without a caller id finds its row by it.
        b.HasIndex(x => new { x.InvocationId, x.StepNumber }).IsUnique();
        // By run: IX_agent_steps_tree (PipelineDbContext.TreeIndexes).
        foreach (var json in new[]
        {
            nameof(AgentStepRow.Metadata), nameof(AgentStepRow.Reasoning), nameof(AgentStepRow.Content), nameof(AgentStepRow.Files),
            nameof(AgentStepRow.Sources), nameof(AgentStepRow.UsageRaw), nameof(AgentStepRow.Warnings), nameof(AgentStepRow.RequestBody),
            nameof(AgentStepRow.ResponseHeaders), nameof(AgentStepRow.ResponseBody), nameof(AgentStepRow.ProviderMetadata),
        })
        {
            b.Property<string?>(json).IsJson();
        }
    }
}
