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
        // The reads of ListFeatureRuns (newest first, keyset pages): each filter has an index whose
        // order is the listing's, so a page is one range read backwards (see FeatureRunListing).
        b.HasIndex(x => new { x.CreatedAt, x.Id });
        b.HasIndex(x => new { x.CurrentPhase, x.CreatedAt, x.Id });
        b.HasIndex(x => new { x.GithubRepoUrl, x.CreatedAt, x.Id });
        // Runs still working: few among many ended ones, so the running / waiting filters read only these.
        b.HasIndex(x => new { x.CreatedAt, x.Id }, "IX_feature_runs_working_created_at_id")
            .HasFilter("current_phase NOT IN ('completed', 'failed')");
    }
}
