namespace AgentPipeline.Cli.Demo;

/// <summary>What <c>agentpipe demo</c> simulates.</summary>
/// <param name="Runs">How many feature runs to simulate (the last one waits for a human).</param>
/// <param name="Seed">Seeds every content choice, so one seed always tells the same story.</param>
internal sealed record DemoSettings(int Runs, int Seed);
