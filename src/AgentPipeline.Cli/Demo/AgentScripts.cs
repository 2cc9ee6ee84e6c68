using System.Globalization;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Demo;

/// <summary>
/// Scripts the sub-agents of each phase from the scenario and the seeded <see cref="Random"/>.
/// Everything random is drawn here, in order, before the agents run in parallel, so the story
/// depends on the seed alone.
/// </summary>
internal static class AgentScripts
{
    private static readonly string[] Focus = ["entry points and request flow", "data model and configuration", "tests and CI setup"];
    private static readonly string[] Risks = ["operational cost", "migration effort", "correctness under concurrency", "latency on the hot path"];

    public static IReadOnlyList<AgentPlan> For(FeaturePhase phase, RunContext run, Random rng, bool fail) => phase switch
    {
        FeaturePhase.Analysis => Analysis(run.Scenario, rng),
        FeaturePhase.Approaches => Approaches(run, rng),
        FeaturePhase.Judging => Judging(run, rng),
        FeaturePhase.Implementation => Implementation(run, rng, fail),
        _ => Pr(run, rng),
    };

    private static List<AgentPlan> Analysis(Scenario s, Random rng)
    {
        var plans = new List<AgentPlan>();
        var count = rng.Next(2, 4);
        for (var i = 0; i < count; i++)
        {
            var focus = Focus[i];
            var reads = new List<ToolUse> { Tools.Read(s.Files[i], rng) };
            if (rng.Next(2) == 0)
            {
                reads.Add(Tools.Read(s.Files[i + 1], rng));
            }
            var note = i == 0
                ? new MemoryNote(MemoryKind.Insight, $"{s.Keyword} lives in {s.MainFile}; {s.Files[2]} wires it in, so that is where the change hooks up.")
                : null;
            plans.Add(new AgentPlan(
                AgentType.Explorer,
                $"Map the code this request touches, focusing on {focus}: {s.Prompt}",
                [
                    new($"Mapping {focus}.", [Tools.Glob("**/*" + Path.GetExtension(s.MainFile), s.Files), Tools.Grep(s.Keyword, s.Files.Take(3).ToList(), rng)]),
                    new("Reading the most relevant files.", reads, note),
                ],
                $"{Capitalize(focus)}: {s.Keyword} is defined in {s.MainFile} and used from {s.Files[2]}; tests live in {s.TestFile}.",
                rng.Next()));
        }
        return plans;
    }

    private static List<AgentPlan> Approaches(RunContext run, Random rng)
    {
        var s = run.Scenario;
        var plans = new List<AgentPlan>();
        var shortlist = new List<CtaOption>();
        var count = rng.Next(2, 4);
        for (var i = 0; i < count; i++)
        {
            var (title, summary) = s.Approaches[i];
            var letter = Letter(i);
            var doc = DesignNote(s, i);
            var files = rng.Next(2, 7);
            var risk = Risks[rng.Next(Risks.Length)];
            shortlist.Add(new CtaOption(letter.ToLowerInvariant(), $"{title} ({letter})"));
            plans.Add(new AgentPlan(
                AgentType.Coder,
                $"Draft approach {letter} for \"{s.Prompt}\": {title} ({summary}). Write a short design note; do not change product code.",
                [
                    new("Checking how the current code would take this approach.", [Tools.Read(s.MainFile, rng), Tools.Grep(s.Keyword, [s.MainFile, s.Files[2]], rng)]),
                    new("Writing the design note.", [Tools.Write(doc, $"# Approach {letter}: {title}\n\n{summary}.\n\nFiles to change: {Tools.Count(files)}.\nMain risk: {risk}.\n")]),
                ],
                $"Approach {letter} ({title}): {summary}. Touches about {Tools.Count(files)} files; main risk is {risk}.",
                rng.Next()));
        }
        run.Shortlist = shortlist;
        return plans;
    }

    private static List<AgentPlan> Judging(RunContext run, Random rng)
    {
        var s = run.Scenario;
        const int judges = 2;
        var scores = new int[judges, run.Shortlist.Count];
        var plans = new List<AgentPlan>();
        var task = "Score the shortlisted approaches: " + string.Join("; ", run.Shortlist.Select(o => o.Label)) + ".";
        for (var j = 0; j < judges; j++)
        {
            for (var k = 0; k < run.Shortlist.Count; k++)
            {
                scores[j, k] = rng.Next(4, 10);
            }
            var verdict = string.Join(", ", run.Shortlist.Select((o, k) => $"{o.Id.ToUpperInvariant()} {Tools.Count(scores[j, k])}/10"));
            plans.Add(new AgentPlan(
                AgentType.Judge,
                task,
                [
                    new("Reading the design notes.", [.. run.Shortlist.Select((_, k) => Tools.Read(DesignNote(s, k), rng))]),
                    new("Checking how often the hot path changed recently.",
                        [Tools.Bash($"git log --oneline -n 5 -- {s.MainFile}", 0, GitLog(s, rng))]),
                ],
                $"Scores: {verdict}. Weighted for correctness first, then risk, then effort.",
                rng.Next()));
        }

        var best = 0;
        double Mean(int k) => (scores[0, k] + scores[1, k]) / (double)judges;
        for (var k = 1; k < run.Shortlist.Count; k++)
        {
            best = Mean(k) > Mean(best) ? k : best;
        }
        run.Recommended = run.Shortlist[best];
        var mean = Mean(best).ToString("0.0", CultureInfo.InvariantCulture);
        plans.Add(new AgentPlan(
            AgentType.MetaJudge,
            "Reconcile the judges' scores into one recommendation.",
            [
                new("Re-reading the best-scored design note.", [Tools.Read(DesignNote(s, best), rng)],
                    new MemoryNote(MemoryKind.Decision, $"Recommend {run.Recommended.Label}: mean score {mean} across {Tools.Count(judges)} judges.")),
            ],
            $"Recommend {run.Recommended.Label} (mean {mean}/10).",
            rng.Next()));
        return plans;
    }

    private static List<AgentPlan> Implementation(RunContext run, Random rng, bool fail)
    {
        var s = run.Scenario;
        var plans = new List<AgentPlan>();
        var coders = rng.Next(1, 3);
        var changed = new List<string>();
        for (var i = 0; i < coders; i++)
        {
            var file = s.Files[i];
            changed.Add(file);
            var steps = new List<AgentStepPlan>
            {
                new("Reading the code to change.", [Tools.Read(file, rng), Tools.Read(s.TestFile, rng)]),
                new("Making the change.", [Tools.Edit(file, $"// TODO: {s.Slug}", $"// {run.ChosenTitle}"), Tools.Edit(s.TestFile, "describe(", $"describe('{s.Slug}', ")]),
            };
            string final;
            if (i == 0 && fail)
            {
                steps.Add(new("Running the tests.", [Tools.BashTimedOut(s.TestCommand)]));
                steps.Add(new("Re-running with a shorter timeout to see why it hangs.",
                    [Tools.Bash(s.TestCommand, 1, "", "Error: DATABASE_URL is not set; the integration suite needs a seeded test database.")],
                    new MemoryNote(MemoryKind.Failure, $"{s.TestCommand} needs DATABASE_URL for a seeded test database; the sandbox has none, so the suite hangs.")));
                final = "Blocked: the integration tests need a seeded test database (DATABASE_URL) that this sandbox does not have.";
            }
            else if (i == 0)
            {
                steps.Add(new("Running the tests.",
                    [Tools.Bash(s.TestCommand, 1, $"FAIL {s.TestFile}\n  x {s.Slug} applies the new behaviour", "1 failed, " + Tools.Count(rng.Next(6, 20)) + " passed")],
                    new MemoryNote(MemoryKind.Failure, $"First test run failed: the new code in {file} was not wired into {s.Files[2]}; wiring it fixed it.")));
                steps.Add(new("Wiring it in and re-running.",
                    [Tools.Edit(s.Files[2], $"// {s.Keyword}", $"use({s.Keyword})"), Tools.Bash(s.TestCommand, 0, $"{Tools.Count(rng.Next(8, 24))} passed")]));
                changed.Add(s.Files[2]);
                final = $"Implemented {run.ChosenTitle} in {file}; tests pass.";
            }
            else
            {
                steps.Add(new("Running the tests.", [Tools.Bash(s.TestCommand, 0, $"{Tools.Count(rng.Next(8, 24))} passed")]));
                final = $"Updated {file} for {run.ChosenTitle}; tests pass.";
            }
            var plan = new AgentPlan(AgentType.Coder, $"Implement '{run.ChosenTitle}' in {file}, with tests.", steps, final, rng.Next());
            if (i == 0)
            {
                // The lead coder first sends an explorer of its own to find the test helpers: a sub-agent's sub-agent.
                plan = plan with
                {
                    SubAgents =
                    [
                        new AgentPlan(
                            AgentType.Explorer,
                            $"Find the helpers and fixtures {s.TestFile} can reuse for {s.Keyword}.",
                            [new("Looking for test helpers.", [Tools.Glob("test*/**/*", [s.TestFile]), Tools.Grep("beforeEach|fixture", [s.TestFile], rng)])],
                            $"{s.TestFile} sets up its own fixtures; no shared helper covers {s.Keyword}, so the new tests build theirs inline.",
                            rng.Next()),
                    ],
                };
            }
            plans.Add(plan);
        }
        changed.Add(s.TestFile);
        run.FilesChanged = changed;

        plans.Add(new AgentPlan(
            AgentType.Explorer,
            $"Find every caller of {s.Keyword} and the tests that cover it.",
            [
                new("Searching for callers.", [Tools.Grep(s.Keyword, s.Files, rng)]),
                new("Reading the wiring.", [Tools.Read(s.Files[2], rng)]),
            ],
            $"{s.Keyword} has {Tools.Count(rng.Next(2, 6))} callers; all go through {s.Files[2]}.",
            rng.Next()));
        return plans;
    }

    private static List<AgentPlan> Pr(RunContext run, Random rng)
    {
        var s = run.Scenario;
        var sha = rng.Next().ToString("x8", CultureInfo.InvariantCulture)[..7];
        run.PrNumber = rng.Next(100, 1000);
        var files = run.FilesChanged.Count;
        var stat = $"{Tools.Count(files)} files changed, {Tools.Count(rng.Next(40, 300))} insertions(+), {Tools.Count(rng.Next(5, 60))} deletions(-)";
        return
        [
            new AgentPlan(
                AgentType.Coder,
                $"Commit the change, push {run.Branch} and open a pull request for '{run.ChosenTitle}'.",
                [
                    new("Committing.", [Tools.Bash($"git checkout -b {run.Branch} && git add -A && git commit -m \"feat: {s.Slug}\"", 0, $"[{run.Branch} {sha}] feat: {s.Slug}\n {stat}")]),
                    new("Pushing and opening the pull request.",
                    [
                        Tools.Bash($"git push -u origin {run.Branch}", 0, $"branch '{run.Branch}' set up to track 'origin/{run.Branch}'."),
                        Tools.Bash($"gh pr create --base main --head {run.Branch} --fill", 0, run.PrUrl),
                    ]),
                ],
                $"Opened {run.PrUrl} ({stat}).",
                rng.Next()),
            new AgentPlan(
                AgentType.Judge,
                "Review the diff before it is pushed: correctness, tests, naming.",
                [new("Reading the diff.", [Tools.Bash("git diff --stat main", 0, stat), Tools.Read(s.MainFile, rng)])],
                $"No blocking issues. Nit: {s.MainFile} could use a comment on why {s.Keyword} is read per request.",
                rng.Next()),
        ];
    }

    private static string Letter(int index) => ((char)('A' + index)).ToString();

    private static string DesignNote(Scenario s, int index) => $"docs/design/{s.Slug}-{Letter(index).ToLowerInvariant()}.md";

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string GitLog(Scenario s, Random rng) => string.Join('\n', Enumerable.Range(0, 3).Select(_ =>
        $"{rng.Next().ToString("x8", CultureInfo.InvariantCulture)[..7]} {s.Slug}: tidy {Path.GetFileName(s.MainFile)}"));
}
