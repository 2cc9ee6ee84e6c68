namespace AgentPipeline.Persistence.Benchmarks.Reads;

/// <summary>
/// The runs of <c>--op reads</c>, made up deterministically from their index (the same run every
/// time, on both providers): a realistic mix of ended and working runs, each with its phases,
/// invocations (sub-agents under their orchestrator), steps, some tool calls, memory notes and CTAs.
/// Run 0 is the big one: 5,000 steps in 50 invocations. About 100 steps a run on average, so
/// 20,000 runs hold about 2 million steps.
/// </summary>
internal sealed class ReadShape
{
    public const int BigRunSteps = 5000;

    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    public static readonly string[] Repositories =
        [.. Enumerable.Range(0, 40).Select(i => $"https://github.com/acme/service-{i:00}")];

    public static readonly Dictionary<string, string[]> Columns = new()
    {
        ["feature_runs"] = ["id", "prompt", "github_repo_url", "github_branch", "current_phase", "created_at", "completed_at"],
        ["phase_results"] = ["id", "run_id", "phase", "status", "output", "started_at", "completed_at"],
        ["agent_invocations"] = ["id", "run_id", "phase_result_id", "parent_invocation_id", "agent_type", "model_provider", "model_id", "system_prompt",
            "finish_reason", "output_text", "step_count", "input_tokens", "output_tokens", "total_tokens", "started_at", "completed_at"],
        ["agent_steps"] = ["id", "run_id", "invocation_id", "step_number", "model_provider", "model_id", "text", "content", "finish_reason",
            "input_tokens", "output_tokens", "total_tokens", "response_id", "created_at"],
        ["tool_calls"] = ["id", "run_id", "step_id", "invocation_id", "tool_call_id", "tool_name", "input", "output", "output_type",
            "is_dynamic", "is_invalid", "is_preliminary", "is_provider_executed", "created_at"],
        ["memory_records"] = ["id", "run_id", "phase_result_id", "invocation_id", "phase", "kind", "content", "created_at", "seq"],
        ["cta_events"] = ["id", "run_id", "phase_result_id", "invocation_id", "kind", "request_message", "response_approved", "requested_at",
            "responded_at", "timed_out"],
    };

    /// <summary>Parents before children, as foreign keys want them.</summary>
    public static readonly string[] Tables = [.. Columns.Keys];

    private static readonly string[] Phases = ["analysis", "approaches", "judging", "implementation", "pr"];
    private static readonly string[] Tools = ["read", "glob", "grep", "edit", "bash", "write"];

    /// <summary>A stable id: the run, the kind of row and its number within the run.</summary>
    public static Guid Id(int run, int kind, int n)
    {
        Span<byte> b = stackalloc byte[16];
        BitConverter.TryWriteBytes(b, run);
        BitConverter.TryWriteBytes(b[4..], n);
        b[8] = (byte)kind;
        b[9] = 0xA5;
        BitConverter.TryWriteBytes(b[10..], run * 7919 + n * 31 + kind);
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4 shape, random-looking but fixed
        return new Guid(b);
    }

    public static DateTimeOffset RunCreatedAt(int run) => Epoch.AddSeconds(run * 90.0);

    public static Guid RunId(int run) => Id(run, 1, 0);

    /// <summary>The rows of run <paramref name="run"/> for <paramref name="table"/> (null: every table), parents first.</summary>
    public static void Generate(int run, string? table, Action<string, object?[]> emit)
    {
        var random = new Random(run * 1_000_003 + 17);
        var runId = RunId(run);
        var created = RunCreatedAt(run);
        var big = run == 0;
        var fate = big ? 0 : random.Next(100); // < 90 completed, < 95 failed, else working
        var working = fate >= 95;
        var phaseCount = big || fate < 90 ? 5 : 1 + random.Next(4);
        var waiting = working && random.Next(2) == 0;
        var end = created.AddMinutes(40 + random.Next(80));
        var phaseName = working ? Phases[phaseCount - 1] : fate < 90 ? "completed" : "failed";
        bool Wants(string t) => table is null || table == t;

        if (Wants("feature_runs"))
        {
            emit("feature_runs", [runId, $"Feature request {run}: add dark mode to the settings page and remember the choice per user",
                Repositories[run % Repositories.Length], $"feature/run-{run}", phaseName, created, working ? null : end]);
        }
        var n = 0;
        var time = created;
        DateTimeOffset Tick(int seconds) => time = time.AddSeconds(seconds);
        for (var p = 0; p < phaseCount; p++)
        {
            var last = p == phaseCount - 1;
            var phaseStatus = last && working ? "running" : last && fate is >= 90 and < 95 ? "failed" : "passed";
            var phaseId = Id(run, 2, p);
            var phaseStart = Tick(1);
            var invocations = big ? (p == 3 ? 49 : 0) : random.Next(3);
            var stepsEach = big ? BigRunSteps / 50 : 0;
            var phaseRows = new List<(string Table, object?[] Values)>();
            var orchestrator = Id(run, 3, p * 100);
            var lastInvocation = orchestrator;
            for (var i = 0; i <= invocations; i++)
            {
                var invocationId = i == 0 ? orchestrator : Id(run, 3, p * 100 + i);
                lastInvocation = invocationId;
                var steps = big ? (p == 3 ? stepsEach : i == 0 && p == 0 ? 0 : 0) : 6 + random.Next(11);
                var started = Tick(2);
                for (var s = 0; s < steps; s++)
                {
                    var stepId = Id(run, 4, ++n);
                    var at = Tick(1 + random.Next(5));
                    if (Wants("agent_steps"))
                    {
                        emit("agent_steps", [stepId, runId, invocationId, s, "anthropic", "claude-sonnet-4-5",
                            $"Step {s}: I read the settings component and will now change the theme provider.",
                            $"[{{\"type\":\"text\",\"text\":\"step {s} of invocation {i}\"}}]", s == steps - 1 ? "stop" : "tool-calls",
                            1200L + s, 80L + s, 1280L + 2 * s, $"msg_{run}_{n}", at]);
                    }
                    if (random.Next(4) == 0 && Wants("tool_calls"))
                    {
                        var tool = Tools[random.Next(Tools.Length)];
                        emit("tool_calls", [Id(run, 5, n), runId, stepId, invocationId, $"toolu_{run}_{n}", tool,
                            $"{{\"path\":\"src/settings/theme-{s}.tsx\"}}", $"{{\"lines\":{s * 3},\"ok\":true}}", "json", false, false, false, false, at]);
                    }
                }
                var done = Tick(1);
                if (Wants("agent_invocations"))
                {
                    emit("agent_invocations", [invocationId, runId, phaseId, i == 0 ? null : orchestrator, i == 0 ? "orchestrator" : "explorer",
                        "anthropic", "claude-sonnet-4-5", "You are the orchestrator of a feature pipeline. Work in small, verified steps.", "stop",
                        "Done.", steps, 1200L * steps, 80L * steps, 1280L * steps, started, last && working && i == 0 ? null : done]);
                }
            }
            if (Wants("phase_results"))
            {
                emit("phase_results", [phaseId, runId, Phases[p], phaseStatus, phaseStatus == "passed" ? "{\"summary\":\"ok\"}" : null, phaseStart,
                    phaseStatus == "running" ? null : Tick(1)]);
            }
            if (p == 1 && Wants("memory_records"))
            {
                emit("memory_records", [Id(run, 6, 0), runId, phaseId, orchestrator, Phases[p], "decision", "Use the existing theme context.", Tick(1), (long)run * 4 + 1]);
                emit("memory_records", [Id(run, 6, 1), runId, phaseId, null, Phases[p], "insight", "Settings are stored per user.", Tick(1), (long)run * 4 + 2]);
            }
            // The approval CTA of the approaches phase, answered; a waiting run's last phase has one open.
            var open = last && waiting;
            if ((p == 1 || open) && Wants("cta_events"))
            {
                var asked = Tick(3);
                emit("cta_events", [Id(run, 7, p), runId, phaseId, lastInvocation, "approval", "Go ahead with approach B?",
                    open ? null : true, asked, open ? null : asked.AddMinutes(7), false]);
            }
        }
    }
}
