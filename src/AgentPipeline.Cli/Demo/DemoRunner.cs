using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// Simulates whole feature runs through the 19 store functions: <see cref="DemoSettings.Runs"/>
/// runs that reach a pull request, then one that fails while waiting for a human.
/// </summary>
internal sealed class DemoRunner(PipelineDb db, DemoSettings settings, TimeProvider time)
{
    private static readonly FeaturePhase[] Phases =
        [FeaturePhase.Analysis, FeaturePhase.Approaches, FeaturePhase.Judging, FeaturePhase.Implementation, FeaturePhase.Pr];

    /// <param name="onRunStored">Called as each run ends, with its id, so the caller can report progress.</param>
    /// <returns>The ids of the runs created, in order.</returns>
    public async Task<IReadOnlyList<Guid>> RunAsync(Action<Guid>? onRunStored, CancellationToken cancellationToken)
    {
        var rng = new Random(settings.Seed);
        var runIds = new List<Guid>();
        for (var i = 0; i <= settings.Runs; i++)
        {
            var failAt = i < settings.Runs
                ? (FeaturePhase?)null
                : rng.Next(2) == 0 ? FeaturePhase.Judging : FeaturePhase.Implementation;
            var runId = await SimulateRunAsync(rng, failAt, cancellationToken);
            runIds.Add(runId);
            onRunStored?.Invoke(runId);
        }
        return runIds;
    }

    private async Task<Guid> SimulateRunAsync(Random rng, FeaturePhase? failAt, CancellationToken cancellationToken)
    {
        var scenario = ScenarioCatalog.All[rng.Next(ScenarioCatalog.All.Count)];
        var sandboxId = await StartSandboxAsync(scenario, rng, cancellationToken);
        var branch = $"agentpipe/{scenario.Slug}-{Tools.Count(rng.Next(1000, 10000))}";
        var runId = await PipelinePersistence.CreateFeatureRunAsync(db, new NewFeatureRun
        {
            Prompt = scenario.Prompt,
            SandboxId = sandboxId,
            GithubRepoUrl = scenario.Repo,
            GithubBranch = branch,
        }, cancellationToken);

        var run = new RunContext(runId, scenario, branch);
        var phases = new PhaseRunner(db, time, rng, run);
        foreach (var phase in Phases)
        {
            if (!await phases.RunAsync(phase, phase == failAt, cancellationToken))
            {
                // The run's history stays for debugging; only its sandbox is torn down.
                await PipelinePersistence.FailFeatureRunAsync(db, runId, cancellationToken);
                await PipelinePersistence.UpdateSandboxStatusAsync(db, sandboxId, SandboxStatus.Aborted, cancellationToken);
                return runId;
            }
        }

        // Keep the finished workspace so a follow-up run can start from it, then release the sandbox.
        await PipelinePersistence.UpdateSandboxStatusAsync(db, sandboxId, SandboxStatus.Snapshotting, cancellationToken);
        await PipelinePersistence.CreateSnapshotRecordAsync(db, new NewSnapshotRecord
        {
            Id = DemoIds.New("snap_"),
            SandboxId = sandboxId,
            Status = SnapshotStatus.Created,
            SizeBytes = rng.Next(150, 900) * 1024L * 1024L,
            Region = "iad1",
            ExpiresAt = time.GetUtcNow().AddDays(7),
        }, cancellationToken);
        await PipelinePersistence.UpdateSandboxStatusAsync(db, sandboxId, SandboxStatus.Stopping, cancellationToken);
        await PipelinePersistence.UpdateSandboxStatusAsync(db, sandboxId, SandboxStatus.Stopped, cancellationToken);
        await PipelinePersistence.CompleteFeatureRunAsync(db, runId, cancellationToken);
        return runId;
    }

    private async Task<string> StartSandboxAsync(Scenario scenario, Random rng, CancellationToken cancellationToken)
    {
        var id = DemoIds.New("sbx_");
        var vcpus = rng.Next(1, 4) * 2;
        const int port = 3000;
        // Underscores are not allowed in host names.
        var host = $"{id.Replace('_', '-')}-{port}";
        await PipelinePersistence.CreateSandboxRecordAsync(db, new NewSandboxRecord
        {
            Id = id,
            Status = SandboxStatus.Pending,
            Runtime = scenario.Runtime,
            Memory = vcpus * 2048,
            Vcpus = vcpus,
            Region = "iad1",
            Cwd = "/vercel/sandbox",
            Timeout = 45 * 60 * 1000,
            NetworkPolicy = Json.From(new { mode = "allow-list", allow = new[] { "github.com", "registry.npmjs.org", "pypi.org", "api.anthropic.com" } }),
            InteractivePort = port,
            Routes = Json.From(new[] { new { url = $"https://{host}.sandbox.example.dev", subdomain = host, port } }),
            SourceType = SandboxSourceType.Git,
            SourceUrl = scenario.Repo + ".git",
            SourceRevision = "main",
            SourceDepth = 1,
            RequestedAt = time.GetUtcNow(),
        }, cancellationToken);
        await PipelinePersistence.UpdateSandboxStatusAsync(db, id, SandboxStatus.Running, cancellationToken);
        return id;
    }
}
