using static AgentPipeline.Persistence.Benchmarks.Baseline.RawType;

namespace AgentPipeline.Persistence.Benchmarks.Baseline;

/// <summary>
/// The baseline's SQL: the same statements the library runs (Functions/*.cs), written out by hand.
/// Creates are <c>INSERT … SELECT … FROM parent WHERE … ON CONFLICT DO NOTHING</c> (the parent
/// lookup fills run_id and proves the parent exists); when they insert nothing, the follow-up reads
/// below tell a replay from a conflict or a missing parent. Updates are conditional on the current
/// state and followed by a read only when they match no row.
/// </summary>
internal static class RawSql
{
    private static string Names((string Name, RawType Type)[] columns) => string.Join(", ", columns.Select(c => c.Name));

    private static string Params((string Name, RawType Type)[] columns) => string.Join(", ", columns.Select(c => "@" + c.Name));

    private static string Assignments((string Name, RawType Type)[] columns) => string.Join(", ", columns.Select(c => c.Name + " = @" + c.Name));

    private static RawStatement SelectById(string table, (string Name, RawType Type)[] columns, RawType idType = Uuid) =>
        new($"SELECT {Names(columns)} FROM {{s}}.{table} WHERE id = @id", ("id", idType));

    private static RawStatement Exists(string table) => new($"SELECT 1 FROM {{s}}.{table} WHERE id = @id", ("id", Uuid));

    // feature_runs
    public static readonly (string Name, RawType Type)[] RunColumns =
        [("id", Uuid), ("prompt", Text), ("sandbox_id", Text), ("github_repo_url", Text), ("github_branch", Text)];

    public static readonly RawStatement RunInsert = new(
        $"INSERT INTO {{s}}.feature_runs ({Names(RunColumns)}, current_phase, created_at) VALUES ({Params(RunColumns)}, 'analysis', @created_at) ON CONFLICT (id) DO NOTHING",
        [.. RunColumns, ("created_at", Time)]);

    public static readonly RawStatement RunById = SelectById("feature_runs", RunColumns);

    public static readonly RawStatement SetRunPhase = new(
        "UPDATE {s}.feature_runs SET current_phase = @phase WHERE id = @id AND current_phase NOT IN ('completed', 'failed')",
        ("phase", Text), ("id", Uuid));

    public static readonly RawStatement EndRun = new(
        "UPDATE {s}.feature_runs SET current_phase = @phase, completed_at = @completed_at WHERE id = @id AND current_phase NOT IN ('completed', 'failed')",
        ("phase", Text), ("completed_at", Time), ("id", Uuid));

    public static readonly RawStatement RunPhase = new("SELECT current_phase FROM {s}.feature_runs WHERE id = @id", ("id", Uuid));

    public static readonly RawStatement RunExists = Exists("feature_runs");

    // phase_results
    public static readonly (string Name, RawType Type)[] PhaseResultColumns = [("id", Uuid), ("run_id", Uuid), ("phase", Text)];

    public static readonly RawStatement PhaseResultInsert = new(
        $"INSERT INTO {{s}}.phase_results ({Names(PhaseResultColumns)}, status, started_at) " +
        $"SELECT {Params(PhaseResultColumns)}, 'running', @started_at FROM {{s}}.feature_runs r " +
        "WHERE r.id = @run_id AND r.current_phase NOT IN ('completed', 'failed'){forshare} ON CONFLICT (id) DO NOTHING",
        [.. PhaseResultColumns, ("started_at", Time)]);

    public static readonly RawStatement PhaseResultById = SelectById("phase_results", PhaseResultColumns);

    public static readonly RawStatement EndPhaseResult = new(
        "UPDATE {s}.phase_results SET status = @status, output = @output, completed_at = @completed_at WHERE id = @id AND status = 'running'",
        ("status", Text), ("output", Json), ("completed_at", Time), ("id", Uuid));

    public static readonly RawStatement PhaseResultState = new("SELECT status, output FROM {s}.phase_results WHERE id = @id", ("id", Uuid));

    public static readonly RawStatement PhaseResultExists = Exists("phase_results");

    public static readonly RawStatement PhaseResultRun = new("SELECT run_id FROM {s}.phase_results WHERE id = @id", ("id", Uuid));

    // agent_invocations
    public static readonly (string Name, RawType Type)[] InvocationColumns =
    [
        ("id", Uuid), ("phase_result_id", Uuid), ("parent_invocation_id", Uuid), ("agent_type", Text),
        ("model_provider", Text), ("model_id", Text), ("system_prompt", Text), ("input_messages", Json),
    ];

    public static readonly RawStatement InvocationInsert = new(
        $"INSERT INTO {{s}}.agent_invocations (run_id, started_at, {Names(InvocationColumns)}) " +
        $"SELECT p.run_id, @started_at, {Params(InvocationColumns)} FROM {{s}}.phase_results p WHERE p.id = @phase_result_id " +
        "AND (@parent_invocation_id IS NULL OR EXISTS (SELECT 1 FROM {s}.agent_invocations a WHERE a.id = @parent_invocation_id AND a.phase_result_id = p.id)) " +
        "ON CONFLICT (id) DO NOTHING",
        [.. InvocationColumns, ("started_at", Time)]);

    public static readonly RawStatement InvocationById = SelectById("agent_invocations", InvocationColumns);

    public static readonly RawStatement InvocationPhaseResult = new("SELECT phase_result_id FROM {s}.agent_invocations WHERE id = @id", ("id", Uuid));

    public static readonly RawStatement InvocationRun = new("SELECT run_id FROM {s}.agent_invocations WHERE id = @id", ("id", Uuid));

    public static readonly RawStatement InvocationExists = Exists("agent_invocations");

    private static readonly (string Name, RawType Type)[] UsageColumns =
    [
        ("input_tokens", Int), ("output_tokens", Int), ("total_tokens", Int), ("input_tokens_no_cache_tokens", Int),
        ("input_tokens_cache_read_tokens", Int), ("input_tokens_cache_write_tokens", Int), ("output_tokens_text_tokens", Int),
        ("output_tokens_reasoning_tokens", Int), ("usage_raw", Json),
    ];

    public static readonly (string Name, RawType Type)[] CompletionColumns =
    [
        ("finish_reason", Text), ("raw_finish_reason", Text), ("output_text", Text), ("output_reasoning_text", Text),
        ("output_reasoning", Json), ("output_content", Json), ("output_files", Json), ("output_sources", Json),
        ("response_messages", Json), ("response_id", Text), ("response_model_id", Text), ("response_headers", Json),
        ("response_body", Json), ("response_timestamp", Time), ("provider_metadata", Json), ("warnings", Json),
        ("request_body", Json), ("step_count", Int), .. UsageColumns,
    ];

    public static readonly RawStatement CompleteInvocation = new(
        $"UPDATE {{s}}.agent_invocations SET {Assignments(CompletionColumns)}, completed_at = @completed_at WHERE id = @id AND completed_at IS NULL",
        [.. CompletionColumns, ("completed_at", Time), ("id", Uuid)]);

    public static readonly RawStatement InvocationCompletion = new(
        $"SELECT completed_at, {Names(CompletionColumns)} FROM {{s}}.agent_invocations WHERE id = @id", ("id", Uuid));

    // agent_steps
    public static readonly (string Name, RawType Type)[] StepColumns =
    [
        ("id", Uuid), ("invocation_id", Uuid), ("step_number", Int), ("model_provider", Text), ("model_id", Text),
        ("function_id", Text), ("metadata", Json), ("text", Text), ("reasoning_text", Text), ("reasoning", Json),
        ("content", Json), ("files", Json), ("sources", Json), ("finish_reason", Text), ("raw_finish_reason", Text),
        .. UsageColumns,
        ("warnings", Json), ("request_body", Json), ("response_id", Text), ("response_model_id", Text),
        ("response_headers", Json), ("response_body", Json), ("response_timestamp", Time), ("provider_metadata", Json),
    ];

    public static readonly RawStatement StepInsert = new(
        $"INSERT INTO {{s}}.agent_steps (run_id, created_at, {Names(StepColumns)}) " +
        $"SELECT i.run_id, @created_at, {Params(StepColumns)} FROM {{s}}.agent_invocations i WHERE i.id = @invocation_id AND i.completed_at IS NULL{{forshare}} ON CONFLICT DO NOTHING",
        [.. StepColumns, ("created_at", Time)]);

    public static readonly RawStatement StepById = SelectById("agent_steps", StepColumns);

    public static readonly RawStatement StepByKey = new(
        $"SELECT {Names(StepColumns)} FROM {{s}}.agent_steps WHERE invocation_id = @invocation_id AND step_number = @step_number",
        ("invocation_id", Uuid), ("step_number", Int));

    public static readonly RawStatement StepExists = Exists("agent_steps");

    // tool_calls
    public static readonly (string Name, RawType Type)[] ToolCallColumns =
    [
        ("id", Uuid), ("step_id", Uuid), ("tool_call_id", Text), ("tool_name", Text), ("input", Json),
        ("output", Json), ("output_type", Text), ("is_dynamic", Bool), ("is_invalid", Bool), ("error", Json),
        ("is_preliminary", Bool), ("is_provider_executed", Bool), ("title", Text), ("provider_metadata", Json),
    ];

    public static readonly RawStatement ToolCallInsert = new(
        $"INSERT INTO {{s}}.tool_calls (run_id, invocation_id, created_at, {Names(ToolCallColumns)}) " +
        $"SELECT st.run_id, st.invocation_id, @created_at, {Params(ToolCallColumns)} FROM {{s}}.agent_steps st " +
        "JOIN {s}.agent_invocations i ON i.id = st.invocation_id WHERE st.id = @step_id AND i.completed_at IS NULL{forshareof:i} ON CONFLICT DO NOTHING",
        [.. ToolCallColumns, ("created_at", Time)]);

    public static readonly RawStatement ToolCallById = SelectById("tool_calls", ToolCallColumns);

    public static readonly RawStatement ToolCallByKey = new(
        $"SELECT {Names(ToolCallColumns)} FROM {{s}}.tool_calls WHERE step_id = @step_id AND tool_call_id = @tool_call_id",
        ("step_id", Uuid), ("tool_call_id", Text));

    // memory_records
    public static readonly (string Name, RawType Type)[] MemoryColumns =
        [("id", Uuid), ("phase_result_id", Uuid), ("invocation_id", Uuid), ("kind", Text), ("content", Text)];

    public static readonly RawStatement MemoryInsert = new(
        $"INSERT INTO {{s}}.memory_records (run_id, phase, created_at, {{seqcol}}{Names(MemoryColumns)}) " +
        $"SELECT p.run_id, p.phase, @created_at, {{seqval}}{Params(MemoryColumns)} FROM {{s}}.phase_results p " +
        "JOIN {s}.feature_runs r ON r.id = p.run_id WHERE p.id = @phase_result_id AND r.current_phase NOT IN ('completed', 'failed') " +
        "AND (@invocation_id IS NULL OR EXISTS (SELECT 1 FROM {s}.agent_invocations a WHERE a.id = @invocation_id AND a.run_id = p.run_id))" +
        "{forshareof:r} ON CONFLICT (id) DO NOTHING",
        [.. MemoryColumns, ("created_at", Time)]);

    public static readonly RawStatement MemoryById = SelectById("memory_records", MemoryColumns);

    public static readonly RawStatement MemoryByRun = new(
        "SELECT id, phase, kind, content, created_at, run_id, phase_result_id, invocation_id FROM {s}.memory_records WHERE run_id = @run_id ORDER BY created_at, seq", ("run_id", Uuid));

    // PostgreSQL: the rows with their seq and no ORDER BY, put in order by the client — what the
    // library does there (its planner sorts a large result on the server rather than walk the index).
    public static readonly RawStatement MemoryByRunUnordered = new(
        "SELECT id, phase, kind, content, created_at, run_id, phase_result_id, invocation_id, seq FROM {s}.memory_records WHERE run_id = @run_id", ("run_id", Uuid));

    // cta_events
    public static readonly (string Name, RawType Type)[] CtaColumns =
    [
        ("id", Uuid), ("run_id", Uuid), ("phase_result_id", Uuid), ("invocation_id", Uuid), ("tool_call_id", Text),
        ("kind", Text), ("request_message", Text), ("request_prompt", Text), ("request_placeholder", Text), ("request_options", Json),
    ];

    public static readonly RawStatement CtaInsert = new(
        $"INSERT INTO {{s}}.cta_events (requested_at, timed_out, {Names(CtaColumns)}) " +
        $"SELECT @requested_at, FALSE, {Params(CtaColumns)} FROM {{s}}.feature_runs r WHERE r.id = @run_id AND r.current_phase NOT IN ('completed', 'failed') " +
        "AND (@phase_result_id IS NULL OR EXISTS (SELECT 1 FROM {s}.phase_results p WHERE p.id = @phase_result_id AND p.run_id = r.id)) " +
        "AND (@invocation_id IS NULL OR EXISTS (SELECT 1 FROM {s}.agent_invocations a WHERE a.id = @invocation_id AND a.run_id = r.id))" +
        "{forshare} ON CONFLICT (id) DO NOTHING",
        [.. CtaColumns, ("requested_at", Time)]);

    public static readonly RawStatement CtaById = SelectById("cta_events", CtaColumns);

    public static readonly RawStatement CtaState = new(
        "SELECT kind, request_options, responded_at, timed_out, response_approved, response_reason, response_text, response_selected_id " +
        "FROM {s}.cta_events WHERE id = @id", ("id", Uuid));

    public static readonly RawStatement AnswerCta = new(
        "UPDATE {s}.cta_events SET response_approved = @approved, response_reason = @reason, response_text = @text, " +
        "response_selected_id = @selected, responded_at = @responded_at WHERE id = @id AND responded_at IS NULL{notifycta}",
        ("approved", Bool), ("reason", Text), ("text", Text), ("selected", Text), ("responded_at", Time), ("id", Uuid));

    /// <summary>How many statements there are; reading it runs every initializer above first.</summary>
    public static readonly int StatementCount = RawStatement.Count;
}
