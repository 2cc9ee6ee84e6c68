using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Cli.Tests.Support;

/// <summary>
/// Everything the demo stored, read back with raw SQL (not through the CLI or the library's
/// model), for the tests to hold the CLI's output against.
/// </summary>
public sealed class DbFacts
{
    public required IReadOnlyList<RunFact> Runs { get; init; }
    public required IReadOnlyList<PhaseFact> Phases { get; init; }
    public required IReadOnlyList<InvocationFact> Invocations { get; init; }
    public required IReadOnlyList<StepFact> Steps { get; init; }
    public required IReadOnlyList<ToolCallFact> ToolCalls { get; init; }
    /// <summary>In creation order, ties in insertion order.</summary>
    public required IReadOnlyList<MemoryFact> Memories { get; init; }
    public required IReadOnlyList<CtaFact> Ctas { get; init; }

    public static async Task<DbFacts> ReadAsync(StoreFixture store)
    {
        var runs = await store.QueryAsync($"SELECT id, prompt, current_phase, created_at, completed_at, github_repo_url FROM {store.T("feature_runs")}");
        var phases = await store.QueryAsync($"SELECT id, run_id, phase, status, started_at, completed_at FROM {store.T("phase_results")}");
        var invocations = await store.QueryAsync(
            "SELECT id, run_id, phase_result_id, parent_invocation_id, agent_type, model_provider, model_id, finish_reason, input_tokens, output_tokens, "
            + "total_tokens, input_tokens_cache_read_tokens, input_tokens_cache_write_tokens, output_tokens_reasoning_tokens, started_at, completed_at "
            + $"FROM {store.T("agent_invocations")}");
        var steps = await store.QueryAsync($"SELECT id, run_id, invocation_id, step_number, finish_reason, input_tokens, output_tokens, total_tokens FROM {store.T("agent_steps")}");
        var tools = await store.QueryAsync($"SELECT id, run_id, step_id, invocation_id, tool_name, output_type, error, is_invalid FROM {store.T("tool_calls")}");
        var memories = await store.QueryAsync($"SELECT id, run_id, phase, kind, content, created_at FROM {store.T("memory_records")} ORDER BY created_at, seq");
        var ctas = await store.QueryAsync(
            "SELECT id, run_id, kind, request_message, request_prompt, responded_at, timed_out, response_approved, response_reason, response_text, "
            + $"response_selected_id, requested_at FROM {store.T("cta_events")}");
        return new DbFacts
        {
            Runs = [.. runs.Select(r => new RunFact(G(r["id"]), (string)r["prompt"]!, (string)r["current_phase"]!, T(r["created_at"]), AsTime(r["completed_at"]), (string?)r["github_repo_url"]))],
            Phases = [.. phases.Select(p => new PhaseFact(G(p["id"]), G(p["run_id"]), (string)p["phase"]!, (string)p["status"]!, T(p["started_at"]), AsTime(p["completed_at"])))],
            Invocations = [.. invocations.Select(i => new InvocationFact(
                G(i["id"]), G(i["run_id"]), G(i["phase_result_id"]), AsGuid(i["parent_invocation_id"]), (string)i["agent_type"]!,
                (string?)i["model_provider"], (string?)i["model_id"], (string?)i["finish_reason"], AsLong(i["input_tokens"]), AsLong(i["output_tokens"]),
                AsLong(i["total_tokens"]), AsLong(i["input_tokens_cache_read_tokens"]), AsLong(i["input_tokens_cache_write_tokens"]),
                AsLong(i["output_tokens_reasoning_tokens"]), T(i["started_at"]), AsTime(i["completed_at"])))],
            Steps = [.. steps.Select(s => new StepFact(
                G(s["id"]), G(s["run_id"]), G(s["invocation_id"]), (int)AsLong(s["step_number"])!.Value, (string?)s["finish_reason"],
                AsLong(s["input_tokens"]), AsLong(s["output_tokens"]), AsLong(s["total_tokens"])))],
            ToolCalls = [.. tools.Select(t => new ToolCallFact(
                G(t["id"]), G(t["run_id"]), G(t["step_id"]), G(t["invocation_id"]), (string)t["tool_name"]!, (string?)t["output_type"],
                t["error"] is not null || AsBool(t["is_invalid"]) == true || t["output_type"] is "error-text" or "error-json" or "execution-denied"))],
            Memories = [.. memories.Select(m => new MemoryFact(G(m["id"]), G(m["run_id"]), (string)m["phase"]!, (string)m["kind"]!, (string)m["content"]!, T(m["created_at"])))],
            Ctas = [.. ctas.Select(c => new CtaFact(
                G(c["id"]), G(c["run_id"]), (string)c["kind"]!, (string?)c["request_message"] ?? (string?)c["request_prompt"] ?? "",
                AsTime(c["responded_at"]), AsBool(c["timed_out"])!.Value, AsBool(c["response_approved"]), (string?)c["response_reason"],
                (string?)c["response_text"], (string?)c["response_selected_id"], T(c["requested_at"])))],
        };
    }

    /// <summary>A run's tokens as the CLI defines them: each completed invocation's totals, the steps so far of one still running.</summary>
    public long TotalTokens(Guid runId) => Invocations.Where(i => i.RunId == runId)
        .Sum(i => i.TotalTokens ?? Steps.Where(s => s.InvocationId == i.Id).Sum(s => s.TotalTokens ?? 0));

    public RunFact Waiting => Runs.Single(r => r.Phase == "pr");

    public static string ShortId(Guid id) => id.ToString("N")[^8..];

    private static Guid G(object? value) => AsGuid(value)!.Value;

    private static DateTimeOffset T(object? value) => AsTime(value)!.Value;
}

public sealed record RunFact(Guid Id, string Prompt, string Phase, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? Repo);

public sealed record PhaseFact(Guid Id, Guid RunId, string Phase, string Status, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt);

public sealed record InvocationFact(
    Guid Id, Guid RunId, Guid PhaseResultId, Guid? ParentId, string AgentType, string? ModelProvider, string? ModelId, string? FinishReason,
    long? InputTokens, long? OutputTokens, long? TotalTokens, long? CacheReadTokens, long? CacheWriteTokens, long? ReasoningTokens,
    DateTimeOffset StartedAt, DateTimeOffset? CompletedAt);

public sealed record StepFact(Guid Id, Guid RunId, Guid InvocationId, int StepNumber, string? FinishReason, long? InputTokens, long? OutputTokens, long? TotalTokens);

public sealed record ToolCallFact(Guid Id, Guid RunId, Guid StepId, Guid InvocationId, string ToolName, string? OutputType, bool IsError);

public sealed record MemoryFact(Guid Id, Guid RunId, string Phase, string Kind, string Content, DateTimeOffset CreatedAt);

public sealed record CtaFact(
    Guid Id, Guid RunId, string Kind, string Question, DateTimeOffset? RespondedAt, bool TimedOut, bool? Approved, string? Reason, string? Text,
    string? SelectedId, DateTimeOffset RequestedAt)
{
    public bool IsOpen => RespondedAt is null;
}
