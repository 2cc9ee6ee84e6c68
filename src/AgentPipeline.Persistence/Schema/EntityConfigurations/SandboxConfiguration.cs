using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentPipeline.Persistence.Schema.EntityConfigurations;

internal sealed class SandboxConfiguration : IEntityTypeConfiguration<SandboxRow>
{
    public void Configure(EntityTypeBuilder<SandboxRow> b)
    {
        b.ToTable("sandboxes");
        b.HasKey(x => x.Id);
        // run_id is no foreign key: the sandbox exists before its run (a cycle otherwise).
        b.HasIndex(x => x.RunId);
        b.Property(x => x.NetworkPolicy).IsJson();
        b.Property(x => x.Routes).IsJson();
    }
}
