using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class ToolCallConfiguration : IEntityTypeConfiguration<ToolCallRow>
{
    public void Configure(EntityTypeBuilder<ToolCallRow> b)
    {
        b.ToTable("tool_calls");
        b.HasKey(x => x.Id);
        b.HasOne<FeatureRunRow>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentStepRow>().WithMany().HasForeignKey(x => x.StepId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentInvocationRow>().WithMany().HasForeignKey(x => x.InvocationId).OnDelete(DeleteBehavior.Cascade);
        // The SDK's tool call id is unique within its step: the natural key for replays.
        b.HasIndex(x => new { x.StepId, x.ToolCallId }).IsUnique();
        b.HasIndex(x => x.InvocationId);
        // By run: IX_tool_calls_tree (PipelineDbContext.TreeIndexes).
        b.Property(x => x.Input).IsJson();
        b.Property(x => x.Output).IsJson();
        b.Property(x => x.Error).IsJson();
        b.Property(x => x.ProviderMetadata).IsJson();
    }
}
