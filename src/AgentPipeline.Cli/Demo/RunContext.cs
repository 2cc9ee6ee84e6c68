using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>What one simulated run has decided so far; later phases build on earlier ones.</summary>
internal sealed class RunContext(Guid runId, Scenario scenario, string branch)
{
    public Guid RunId { get; } = runId;

    public Scenario Scenario { get; } = scenario;

    public string Branch { get; } = branch;

    /// <summary>The approaches the approaches phase kept, as choice options (id "a", "b", …).</summary>
    public IReadOnlyList<CtaOption> Shortlist { get; set; } = [];

    /// <summary>The approach the meta-judge recommended.</summary>
    public CtaOption? Recommended { get; set; }

    /// <summary>The approach the human picked in the judging phase.</summary>
    public CtaOption? Chosen { get; set; }

    public IReadOnlyList<string> FilesChanged { get; set; } = [];

    public int PrNumber { get; set; }

    public string PrUrl => $"{Scenario.Repo}/pull/{PrNumber}";

    public string ChosenTitle => Chosen?.Label ?? Scenario.Approaches[0].Title;
}
