using AgentPipeline.Cli.Ids;
using AgentPipeline.Cli.Output;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Schema;
using AgentPipeline.Persistence.Internal;
using static AgentPipeline.Cli.Reading.Query;

namespace AgentPipeline.Cli.Reading;

/// <summary>
/// Reads runs with plain SQL (<see cref="Query"/>); every query of a run's tree filters on
/// <c>run_id</c>, which every table of the tree carries.
/// </summary>
internal static class RunQueries
{
    private const string ListColumns =
        "r.id, r.prompt, r.current_phase, r.created_at, r.completed_at, "
        // Tokens: each completed invocation's own totals; for one still running (no totals yet), its steps so far.
        + "(SELECT CAST(SUM(COALESCE(i.total_tokens, (SELECT SUM(s.total_tokens) FROM {s}.agent_steps s WHERE s.invocation_id = i.id))) AS BIGINT) "
        + "FROM {s}.agent_invocations i WHERE i.run_id = r.id), "
        + "(SELECT CAST(COUNT(*) AS BIGINT) FROM {s}.cta_events c WHERE c.run_id = r.id AND c.responded_at IS NULL)";

    private static readonly Param[] ListResults =
    [
        P("id", Col.Guid), P("prompt", Col.Text), P("current_phase", Col.Text), P("created_at", Col.Time), P("completed_at", Col.Time),
        P("tokens", Col.Long), P("open_ctas", Col.Long),
    ];

    private static readonly Sql CountSql = Statement(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM {s}.feature_runs r WHERE (@phase IS NULL OR r.current_phase = @phase)",
        [P("phase", Col.Text)], P("count", Col.Long));

    private static readonly Sql OneSql = Statement($"SELECT {ListColumns} FROM {{s}}.feature_runs r WHERE r.id = @id", [P("id", Col.Guid)], ListResults);

    private static readonly Sql TokensSql = Statement(
        "SELECT CAST(SUM(COALESCE(i.total_tokens, (SELECT SUM(s.total_tokens) FROM {s}.agent_steps s WHERE s.invocation_id = i.id))) AS BIGINT) "
        + "FROM {s}.agent_invocations i WHERE i.run_id = @id",
        [P("id", Col.Guid)], P("tokens", Col.Long));

    /// <summary>
    /// A page of runs through the library's <see cref="PipelinePersistence.ListFeatureRunsAsync"/>, each
    /// with its tokens (which the summary does not carry) read as the table has always counted them.
    /// </summary>
    public static async Task<(IReadOnlyList<RunListItem> Runs, string? NextCursor)> PageAsync(
        PipelineDb db, FeatureRunQuery query, CancellationToken cancellationToken)
    {
        var page = await PipelinePersistence.ListFeatureRunsAsync(db, query, cancellationToken);
        var items = new List<RunListItem>(page.Items.Count);
        foreach (var run in page.Items)
        {
            var tokens = await Query.RowAsync(db, TokensSql, [run.Id], cancellationToken) is { } row ? NullableLong(row[0]) ?? 0 : 0;
            items.Add(new RunListItem(
                run.Id,
                ShortId.Of(run.Id),
                run.Prompt,
                Format.Name(run.CurrentPhase),
                run.CreatedAt,
                run.CompletedAt,
                Format.Milliseconds(Format.Between(run.CreatedAt, run.CompletedAt)),
                tokens,
                run.OpenCtaCount));
        }
        return (items, page.NextCursor);
    }

    /// <summary>How many runs are in <paramref name="phase"/> (all runs when null).</summary>
    public static async Task<int> CountAsync(PipelineDb db, FeaturePhase? phase, CancellationToken cancellationToken) =>
        (int)await Query.LongAsync(db, CountSql, [phase is { } p ? DbEnum<FeaturePhase>.ToDb(p) : null], cancellationToken);

    private static readonly Sql AllSql = Statement("SELECT CAST(COUNT(*) AS BIGINT) FROM {s}.feature_runs", [], P("count", Col.Long));

    /// <summary>How many runs the database holds.</summary>
    public static async Task<int> CountAsync(PipelineDb db, CancellationToken cancellationToken) =>
        (int)await Query.LongAsync(db, AllSql, [], cancellationToken);

    /// <summary>The given runs' table lines, in the given order.</summary>
    public static async Task<IReadOnlyList<RunListItem>> ReadAsync(PipelineDb db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var items = new List<RunListItem>(ids.Count);
        foreach (var id in ids)
        {
            if (await Query.RowAsync(db, OneSql, [id], cancellationToken) is { } row)
            {
                items.Add(ToItem(row));
            }
        }
        return items;
    }

    private static RunListItem ToItem(object?[] r)
    {
        var id = Query.Guid(r[0]);
        var createdAt = Query.Time(r[3]);
        var completedAt = Query.NullableTime(r[4]);
        return new RunListItem(
            id,
            ShortId.Of(id),
            Query.Text(r[1]),
            Format.Name(Query.Enum<FeaturePhase>(r[2])),
            createdAt,
            completedAt,
            Format.Milliseconds(Format.Between(createdAt, completedAt)),
            Query.NullableLong(r[5]) ?? 0,
            (int)(Query.NullableLong(r[6]) ?? 0));
    }

    /// <summary>The whole run: phases, invocations, steps and tool calls, memory records, CTAs.</summary>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    private const string Usage =
        "input_tokens, output_tokens, total_tokens, input_tokens_no_cache_tokens, input_tokens_cache_read_tokens, "
        + "input_tokens_cache_write_tokens, output_tokens_text_tokens, output_tokens_reasoning_tokens";

    private static readonly Param[] UsageResults =
    [
        P("input_tokens", Col.Long), P("output_tokens", Col.Long), P("total_tokens", Col.Long), P("input_tokens_no_cache_tokens", Col.Long),
        P("input_tokens_cache_read_tokens", Col.Long), P("input_tokens_cache_write_tokens", Col.Long),
        P("output_tokens_text_tokens", Col.Long), P("output_tokens_reasoning_tokens", Col.Long),
    ];

    private static readonly Sql RunSql = Statement(
        "SELECT prompt, current_phase, github_repo_url, github_branch, sandbox_id, created_at, completed_at FROM {s}.feature_runs WHERE id = @id",
        [P("id", Col.Guid)],
        P("prompt", Col.Text), P("current_phase", Col.Text), P("github_repo_url", Col.Text), P("github_branch", Col.Text),
        P("sandbox_id", Col.Text), P("created_at", Col.Time), P("completed_at", Col.Time));

    private static readonly Sql SandboxSql = Statement(
        "SELECT id, status, runtime, region, CAST(duration AS BIGINT) FROM {s}.sandboxes WHERE id = @id",
        [P("id", Col.Text)],
        P("id", Col.Text), P("status", Col.Text), P("runtime", Col.Text), P("region", Col.Text), P("duration", Col.Long));

    private static readonly Sql PhasesSql = Statement(
        "SELECT id, phase, status, started_at, completed_at FROM {s}.phase_results WHERE run_id = @run_id ORDER BY started_at, id",
        [P("run_id", Col.Guid)],
        P("id", Col.Guid), P("phase", Col.Text), P("status", Col.Text), P("started_at", Col.Time), P("completed_at", Col.Time));

    private static readonly Sql InvocationsSql = Statement(
        "SELECT id, phase_result_id, parent_invocation_id, agent_type, model_provider, model_id, finish_reason, raw_finish_reason, "
        + $"CAST(step_count AS BIGINT), {Cast(Usage)}, started_at, completed_at "
        + "FROM {s}.agent_invocations WHERE run_id = @run_id ORDER BY started_at, id",
        [P("run_id", Col.Guid)],
        [
            P("id", Col.Guid), P("phase_result_id", Col.Guid), P("parent_invocation_id", Col.Guid), P("agent_type", Col.Text),
            P("model_provider", Col.Text), P("model_id", Col.Text), P("finish_reason", Col.Text), P("raw_finish_reason", Col.Text),
            P("step_count", Col.Long), .. UsageResults, P("started_at", Col.Time), P("completed_at", Col.Time),
        ]);

    private static readonly Sql StepsSql = Statement(
        $"SELECT id, invocation_id, CAST(step_number AS BIGINT), model_id, finish_reason, {Cast(Usage)}, created_at "
        + "FROM {s}.agent_steps WHERE run_id = @run_id ORDER BY invocation_id, step_number",
        [P("run_id", Col.Guid)],
        [
            P("id", Col.Guid), P("invocation_id", Col.Guid), P("step_number", Col.Long), P("model_id", Col.Text), P("finish_reason", Col.Text),
            .. UsageResults, P("created_at", Col.Time),
        ]);

    private static readonly Sql ToolCallsSql = Statement(
        "SELECT id, step_id, tool_call_id, tool_name, title, output_type, is_invalid, CASE WHEN error IS NULL THEN 0 ELSE 1 END, created_at "
        + "FROM {s}.tool_calls WHERE run_id = @run_id ORDER BY created_at, id",
        [P("run_id", Col.Guid)],
        P("id", Col.Guid), P("step_id", Col.Guid), P("tool_call_id", Col.Text), P("tool_name", Col.Text), P("title", Col.Text),
        P("output_type", Col.Text), P("is_invalid", Col.Bool), P("has_error", Col.Long), P("created_at", Col.Time));

    private static readonly Sql MemoriesSql = Statement(
        "SELECT id, phase, kind, content, invocation_id, created_at FROM {s}.memory_records WHERE run_id = @run_id ORDER BY created_at, seq",
        [P("run_id", Col.Guid)],
        P("id", Col.Guid), P("phase", Col.Text), P("kind", Col.Text), P("content", Col.Text), P("invocation_id", Col.Guid), P("created_at", Col.Time));

    private static string Cast(string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"CAST({c} AS BIGINT)"));

    private static UsageView UsageAt(object?[] row, int first) => new(
        NullableLong(row[first]), NullableLong(row[first + 1]), NullableLong(row[first + 2]), NullableLong(row[first + 3]),
        NullableLong(row[first + 4]), NullableLong(row[first + 5]), NullableLong(row[first + 6]), NullableLong(row[first + 7]));

    /// <summary>The whole run: phases, invocations, steps and tool calls, memory records, CTAs.</summary>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    public static async Task<RunDetail> ReadDetailAsync(PipelineDb db, Guid id, CancellationToken cancellationToken)
    {
        var r = await Query.RowAsync(db, RunSql, [id], cancellationToken)
            ?? throw new RecordNotFoundException("feature_runs", id.ToString());
        var run = new
        {
            Prompt = Text(r[0]), CurrentPhase = Enum<FeaturePhase>(r[1]), GithubRepoUrl = NullableText(r[2]), GithubBranch = NullableText(r[3]),
            SandboxId = NullableText(r[4]), CreatedAt = Time(r[5]), CompletedAt = NullableTime(r[6]),
        };
        var sandbox = run.SandboxId is null
            ? null
            : await Query.RowAsync(db, SandboxSql, [run.SandboxId], cancellationToken) is { } sb
                ? new { Id = Text(sb[0]), Status = Enum<SandboxStatus>(sb[1]), Runtime = NullableText(sb[2]), Region = NullableText(sb[3]), Duration = (int?)NullableLong(sb[4]) }
                : null;

        var phases = (await Query.RowsAsync(db, PhasesSql, [id], cancellationToken))
            .Select(p => new { Id = Guid(p[0]), Phase = Enum<FeaturePhase>(p[1]), Status = Enum<PhaseStatus>(p[2]), StartedAt = Time(p[3]), CompletedAt = NullableTime(p[4]) })
            .ToList();
        var invocations = (await Query.RowsAsync(db, InvocationsSql, [id], cancellationToken))
            .Select(i => new
            {
                Id = Guid(i[0]), PhaseResultId = Guid(i[1]), ParentInvocationId = NullableGuid(i[2]), AgentType = Enum<AgentType>(i[3]),
                ModelProvider = NullableText(i[4]), ModelId = NullableText(i[5]), FinishReason = NullableEnum<FinishReason>(i[6]),
                RawFinishReason = NullableText(i[7]), StepCount = (int?)NullableLong(i[8]), Usage = UsageAt(i, 9),
                StartedAt = Time(i[17]), CompletedAt = NullableTime(i[18]),
            })
            .ToList();
        var steps = (await Query.RowsAsync(db, StepsSql, [id], cancellationToken))
            .Select(s => new
            {
                Id = Guid(s[0]), InvocationId = Guid(s[1]), StepNumber = (int)NullableLong(s[2])!.Value, ModelId = NullableText(s[3]),
                FinishReason = NullableEnum<FinishReason>(s[4]), Usage = UsageAt(s, 5), CreatedAt = Time(s[13]),
            })
            .ToList();
        var toolCalls = (await Query.RowsAsync(db, ToolCallsSql, [id], cancellationToken))
            .Select(t => new
            {
                Id = Guid(t[0]), StepId = Guid(t[1]), ToolCallId = Text(t[2]), ToolName = Text(t[3]), Title = NullableText(t[4]),
                OutputType = NullableEnum<ToolOutputType>(t[5]), IsInvalid = NullableBool(t[6]) ?? false, HasError = NullableLong(t[7]) == 1,
                CreatedAt = Time(t[8]),
            })
            .ToList();
        var memories = (await Query.RowsAsync(db, MemoriesSql, [id], cancellationToken))
            .Select(m => new
            {
                Id = Guid(m[0]), Phase = Enum<FeaturePhase>(m[1]), Kind = Enum<MemoryKind>(m[2]), Content = Text(m[3]),
                InvocationId = NullableGuid(m[4]), CreatedAt = Time(m[5]),
            })
            .ToList();
        var ctas = await CtaQueries.ListAsync(db, openOnly: false, id, limit: int.MaxValue, newestFirst: false, cancellationToken);

        var toolsByStep = toolCalls.ToLookup(t => t.StepId, t => new ToolCallView(
            t.Id, t.ToolCallId, t.ToolName, t.Title, Format.Name(t.OutputType),
            t.HasError || t.IsInvalid || t.OutputType is ToolOutputType.ErrorText or ToolOutputType.ErrorJson or ToolOutputType.ExecutionDenied,
            t.CreatedAt));
        var stepsByInvocation = steps.ToLookup(s => s.InvocationId, s => new StepView(
            s.Id, s.StepNumber, s.ModelId, Format.Name(s.FinishReason),
            s.Usage,
            s.CreatedAt,
            [.. toolsByStep[s.Id]]));
        var children = invocations.ToLookup(i => i.ParentInvocationId);
        var byId = invocations.ToDictionary(i => i.Id);

        InvocationView Build(Guid invocationId, int depth)
        {
            var i = byId[invocationId];
            // A parent cycle cannot be stored (a parent exists before its child), but a bad row must not hang the CLI.
            IReadOnlyList<InvocationView> subAgents = depth > 64 ? [] : [.. children[i.Id].Select(c => Build(c.Id, depth + 1))];
            return new InvocationView(
                i.Id, ShortId.Of(i.Id), i.ParentInvocationId, Format.Name(i.AgentType), i.ModelProvider, i.ModelId,
                Format.Name(i.FinishReason), i.RawFinishReason, i.StepCount,
                i.Usage,
                i.StartedAt, i.CompletedAt, Format.Milliseconds(Format.Between(i.StartedAt, i.CompletedAt)),
                [.. stepsByInvocation[i.Id]], subAgents);
        }

        var phaseViews = phases.Select(p => new PhaseView(
            p.Id, Format.Name(p.Phase), Format.Name(p.Status), p.StartedAt, p.CompletedAt,
            Format.Milliseconds(Format.Between(p.StartedAt, p.CompletedAt)),
            // Top level: no parent, or a parent that is not in this run (cannot happen, but then it is shown rather than lost).
            [.. invocations.Where(i => i.PhaseResultId == p.Id && (i.ParentInvocationId is not { } parent || !byId.ContainsKey(parent)))
                .Select(i => Build(i.Id, 0))])).ToList();

        return new RunDetail(
            id, ShortId.Of(id), run.Prompt, Format.Name(run.CurrentPhase), run.GithubRepoUrl, run.GithubBranch,
            sandbox is null ? null : new SandboxView(sandbox.Id, Format.Name(sandbox.Status), sandbox.Runtime, sandbox.Region, sandbox.Duration),
            run.CreatedAt, run.CompletedAt, Format.Milliseconds(Format.Between(run.CreatedAt, run.CompletedAt)),
            invocations.Sum(i => i.Usage.TotalTokens ?? steps.Where(s => s.InvocationId == i.Id).Sum(s => s.Usage.TotalTokens ?? 0)),
            phaseViews,
            [.. memories.Select(m => new MemoryView(m.Id, Format.Name(m.Phase), Format.Name(m.Kind), m.Content, m.InvocationId, m.CreatedAt))],
            ctas.Ctas);
    }

    private sealed record RunRow(Guid Id, string Prompt, FeaturePhase CurrentPhase, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);
}
