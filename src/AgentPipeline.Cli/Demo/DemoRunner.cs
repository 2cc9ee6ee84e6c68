using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// Simulates whole feature runs through the 19 store functions: the requested runs go to the end
/// (the first completes, about one in four of the others fails in judging or implementation when a
/// question to the human times out); a failing run follows when none failed, so every demo has a
/// timed-out CTA and a failed run; a last run stops in the pr phase on an approval nobody has
/// given yet, so there is always an open CTA to answer.
/// </summary>
internal sealed class DemoRunner(PipelineDb db, DemoSettings settings, DemoClock time)
{
    private static readonly FeaturePhase[] Phases =
        [FeaturePhase.Analysis, FeaturePhase.Approaches, FeaturePhase.Judging, FeaturePhase.Implementation, FeaturePhase.Pr];

    /// <param name="onRunStored">
    /// Called as each run ends, with its index, the number of runs this simulation stores (the
    /// requested ones, a failing one when none failed, and the waiting one) and its id, so the caller can report progress.
    /// </param>
    /// <param name="cancellationToken">Cancels the simulation between calls.</param>
    /// <returns>The runs created, in order, with how each ended.</returns>
    public async Task<IReadOnlyList<(Guid RunId, RunOutcome Outcome)>> RunAsync(Action<int, int, Guid>? onRunStored, CancellationToken cancellationToken)
    {
        var rng = new Random(settings.Seed);
        var outcomes = PlanOutcomes(settings.Runs, rng);
        var runs = new List<(Guid, RunOutcome)>();
        for (var i = 0; i < outcomes.Count; i++)
        {
            time.StartRun(i);
            var runId = await SimulateRunAsync(rng, outcomes[i], choiceTimesOut: false, cancellationToken);
            runs.Add((runId, outcomes[i]));
            onRunStored?.Invoke(i, outcomes.Count, runId);
        }
        return runs;
    }

    /// <summary>
    /// <paramref name="runs"/> runs that end: the first completes, each other fails with probability
    /// 1/4 (in judging or implementation, evenly); then a failing run if none failed; then the run
    /// that waits for approval.
    /// </summary>
    internal static IReadOnlyList<RunOutcome> PlanOutcomes(int runs, Random rng)
    {
        RunOutcome Failure() => rng.Next(2) == 0 ? RunOutcome.FailsInJudging : RunOutcome.FailsInImplementation;
        var outcomes = new List<RunOutcome> { RunOutcome.Completes };
        for (var i = 1; i < runs; i++)
        {
            outcomes.Add(rng.Next(4) == 0 ? Failure() : RunOutcome.Completes);
        }
        if (outcomes.All(o => o == RunOutcome.Completes))
        {
            outcomes.Add(Failure());
        }
        outcomes.Add(RunOutcome.AwaitsApproval);
        return outcomes;
    }

    private async Task<Guid> SimulateRunAsync(Random rng, RunOutcome outcome, bool choiceTimesOut, CancellationToken cancellationToken)
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
        var failAt = outcome switch
        {
            RunOutcome.FailsInJudging => FeaturePhase.Judging,
            RunOutcome.FailsInImplementation => FeaturePhase.Implementation,
            _ => (FeaturePhase?)null,
        };
        foreach (var phase in Phases)
        {
            var end = await phases.RunAsync(
                phase,
                fail: phase == failAt,
                choiceTimesOut: choiceTimesOut && phase == FeaturePhase.Judging,
                awaitApproval: outcome == RunOutcome.AwaitsApproval && phase == FeaturePhase.Pr,
                cancellationToken);
            if (end == PhaseEnd.Waiting)
            {
                // The run, its pr phase and its sandbox stay as they are until the human answers.
                return runId;
            }
            if (end == PhaseEnd.Failed)
            {
                // The run's history stays for debugging; only its sandbox is torn down.
                await PipelinePersistence.FailFeatureRunAsync(db, runId, cancellationToken);
                await PipelinePersistence.UpdateSandboxStatusAsync(db, sandboxId, SandboxStatus.Aborted, cancellationToken);
                return runId;
            }
        }

        // Keep the finished workspace so a follow-up run can start from it, then release the sandbox.
        await PipelinePersistence.UpdateSandboxStatusAsync(db, sandboxId, SandboxStatus.Snapshotting, cancellationToken);
        time.Advance(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(25));
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
        time.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
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
        time.Advance(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
        await PipelinePersistence.UpdateSandboxStatusAsync(db, id, SandboxStatus.Running, cancellationToken);
        return id;
    }
}
