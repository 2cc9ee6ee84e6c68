using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Workloads;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.PostgreSql;
using AgentPipeline.Persistence.Schema;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentPipeline.Persistence.Benchmarks.Naive;

/// <summary>
/// The naive EF Core way, the third column: a new <see cref="PipelineDbContext"/> per call; creates
/// look up the parent (for run_id and to prove it exists), <c>Add</c> a row and
/// <c>SaveChangesAsync</c>; state changes are a conditional <c>ExecuteUpdateAsync</c> (plus the
/// read a CTA answer needs first); the read is a LINQ query ordered by created_at, seq. No
/// idempotency check beyond what the database enforces: that is part of what makes it naive.
/// </summary>
/// <remarks>
/// The options are built once (as <c>AddDbContext</c> does) and the connection setup is the
/// library's, so the comparison is about EF Core's per-call work, not configuration:
/// PostgreSQL uses the library's own NpgsqlDataSource; SQLite uses Microsoft.Data.Sqlite's pool
/// with <c>synchronous=NORMAL</c>, <c>foreign_keys=ON</c> and the busy timeout set once per
/// pooled connection. (<c>db.CreateDbContext()</c> as is would rebuild the options on every call
/// and, on SQLite, open an unpooled connection in <c>synchronous=FULL</c>: slower, and unfair.)
/// </remarks>
internal sealed class EfNaiveStore : IPipelineCalls
{
    private readonly Func<PipelineDbContext> _create;
    private readonly bool _sqlite;

    public EfNaiveStore(BenchDatabase database)
    {
        _sqlite = database.Provider == PipelineProvider.Sqlite;
        if (_sqlite)
        {
            var options = new DbContextOptionsBuilder<SqlitePipelineDbContext>()
                .UseSqlite(new SqliteConnectionStringBuilder { DataSource = database.Target, Pooling = true, DefaultTimeout = 30 }.ToString())
                .AddInterceptors(new SqliteConnectionSetup())
                .Options;
            _create = () => new SqlitePipelineDbContext(options);
        }
        else
        {
            var dataSource = ((PostgreSqlDialect)database.Db.Dialect).DataSource;
            var options = new DbContextOptionsBuilder<PostgreSqlPipelineDbContext>()
                .UseNpgsql(dataSource, o => o.MigrationsHistoryTable(ContextFactory.HistoryTable, "agent"))
                .Options;
            _create = () => new PostgreSqlPipelineDbContext(options);
        }
    }

    public async Task<Guid> CreateFeatureRunAsync(NewFeatureRun data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var id = data.Id ?? Guid.CreateVersion7();
        context.FeatureRuns.Add(new FeatureRunRow
        {
            Id = id,
            Prompt = data.Prompt,
            SandboxId = data.SandboxId,
            GithubRepoUrl = data.GithubRepoUrl,
            GithubBranch = data.GithubBranch,
            CurrentPhase = FeaturePhase.Analysis,
            CreatedAt = Now(),
        });
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task UpdateFeatureRunPhaseAsync(Guid runId, FeaturePhase phase, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var updated = await context.FeatureRuns
            .Where(r => r.Id == runId && r.CurrentPhase != FeaturePhase.Completed && r.CurrentPhase != FeaturePhase.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CurrentPhase, phase), cancellationToken);
        if (updated == 0)
        {
            throw new InvalidOperationException($"Run {runId} is missing or already ended.");
        }
    }

    public async Task CompleteFeatureRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var now = Now();
        var updated = await context.FeatureRuns
            .Where(r => r.Id == runId && r.CurrentPhase != FeaturePhase.Completed && r.CurrentPhase != FeaturePhase.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CurrentPhase, FeaturePhase.Completed).SetProperty(r => r.CompletedAt, now), cancellationToken);
        if (updated == 0 && !await context.FeatureRuns.AnyAsync(r => r.Id == runId && r.CurrentPhase == FeaturePhase.Completed, cancellationToken))
        {
            throw new InvalidOperationException($"Run {runId} is missing or has failed.");
        }
    }

    public async Task<Guid> CreatePhaseResultAsync(NewPhaseResult data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var run = await context.FeatureRuns.Where(r => r.Id == data.RunId).Select(r => new { r.CurrentPhase }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("feature_runs", data.RunId.ToString());
        if (run.CurrentPhase is FeaturePhase.Completed or FeaturePhase.Failed)
        {
            throw new InvalidOperationException($"Run {data.RunId} has ended.");
        }
        var id = data.Id ?? Guid.CreateVersion7();
        context.PhaseResults.Add(new PhaseResultRow { Id = id, RunId = data.RunId, Phase = data.Phase, Status = PhaseStatus.Running, StartedAt = Now() });
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task PassPhaseResultAsync(Guid phaseResultId, JsonElement? output, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var text = output?.GetRawText();
        var now = Now();
        var updated = await context.PhaseResults
            .Where(p => p.Id == phaseResultId && p.Status == PhaseStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, PhaseStatus.Passed).SetProperty(p => p.Output, text).SetProperty(p => p.CompletedAt, now),
                cancellationToken);
        if (updated == 0 && !await context.PhaseResults.AnyAsync(p => p.Id == phaseResultId && p.Status == PhaseStatus.Passed, cancellationToken))
        {
            throw new InvalidOperationException($"Phase result {phaseResultId} is missing or has failed.");
        }
    }

    public async Task<Guid> CreateAgentInvocationAsync(NewAgentInvocation data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var phase = await context.PhaseResults.Where(p => p.Id == data.PhaseResultId).Select(p => new { p.RunId }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("phase_results", data.PhaseResultId.ToString());
        if (data.ParentInvocationId is { } parentId
            && !await context.AgentInvocations.AnyAsync(a => a.Id == parentId && a.PhaseResultId == data.PhaseResultId, cancellationToken))
        {
            throw new ArgumentException("The parent invocation is missing or in another phase result.", nameof(data));
        }
        var id = data.Id ?? Guid.CreateVersion7();
        context.AgentInvocations.Add(new AgentInvocationRow
        {
            Id = id,
            RunId = phase.RunId,
            PhaseResultId = data.PhaseResultId,
            ParentInvocationId = data.ParentInvocationId,
            AgentType = data.AgentType,
            ModelProvider = data.ModelProvider,
            ModelId = data.ModelId,
            SystemPrompt = data.SystemPrompt,
            InputMessages = data.InputMessages?.GetRawText(),
            StartedAt = Now(),
        });
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task CompleteAgentInvocationAsync(Guid invocationId, AgentInvocationCompletion data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var u = data.Usage;
        var (reasoning, content, files, sources) = (data.OutputReasoning?.GetRawText(), data.OutputContent?.GetRawText(), data.OutputFiles?.GetRawText(), data.OutputSources?.GetRawText());
        var (messages, headers, body, metadata) = (data.ResponseMessages?.GetRawText(), data.ResponseHeaders?.GetRawText(), data.ResponseBody?.GetRawText(), data.ProviderMetadata?.GetRawText());
        var (warnings, request, usageRaw) = (data.Warnings?.GetRawText(), data.RequestBody?.GetRawText(), u?.Raw?.GetRawText());
        var now = Now();
        var updated = await context.AgentInvocations
            .Where(i => i.Id == invocationId && i.CompletedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.FinishReason, data.FinishReason)
                .SetProperty(i => i.RawFinishReason, data.RawFinishReason)
                .SetProperty(i => i.OutputText, data.OutputText)
                .SetProperty(i => i.OutputReasoningText, data.OutputReasoningText)
                .SetProperty(i => i.OutputReasoning, reasoning)
                .SetProperty(i => i.OutputContent, content)
                .SetProperty(i => i.OutputFiles, files)
                .SetProperty(i => i.OutputSources, sources)
                .SetProperty(i => i.ResponseMessages, messages)
                .SetProperty(i => i.ResponseId, data.ResponseId)
                .SetProperty(i => i.ResponseModelId, data.ResponseModelId)
                .SetProperty(i => i.ResponseHeaders, headers)
                .SetProperty(i => i.ResponseBody, body)
                .SetProperty(i => i.ResponseTimestamp, data.ResponseTimestamp)
                .SetProperty(i => i.ProviderMetadata, metadata)
                .SetProperty(i => i.Warnings, warnings)
                .SetProperty(i => i.RequestBody, request)
                .SetProperty(i => i.StepCount, data.StepCount)
                .SetProperty(i => i.InputTokens, u == null ? null : u.InputTokens)
                .SetProperty(i => i.OutputTokens, u == null ? null : u.OutputTokens)
                .SetProperty(i => i.TotalTokens, u == null ? null : u.TotalTokens)
                .SetProperty(i => i.InputTokensNoCacheTokens, u == null ? null : u.InputNoCacheTokens)
                .SetProperty(i => i.InputTokensCacheReadTokens, u == null ? null : u.InputCacheReadTokens)
                .SetProperty(i => i.InputTokensCacheWriteTokens, u == null ? null : u.InputCacheWriteTokens)
                .SetProperty(i => i.OutputTokensTextTokens, u == null ? null : u.OutputTextTokens)
                .SetProperty(i => i.OutputTokensReasoningTokens, u == null ? null : u.OutputReasoningTokens)
                .SetProperty(i => i.UsageRaw, usageRaw)
                .SetProperty(i => i.CompletedAt, now), cancellationToken);
        if (updated == 0 && !await context.AgentInvocations.AnyAsync(i => i.Id == invocationId && i.OutputText == data.OutputText, cancellationToken))
        {
            throw new InvalidOperationException($"Invocation {invocationId} is missing or was completed differently.");
        }
    }

    public async Task<Guid> CreateAgentStepAsync(NewAgentStep data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var invocation = await context.AgentInvocations.Where(i => i.Id == data.InvocationId).Select(i => new { i.RunId }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("agent_invocations", data.InvocationId.ToString());
        var id = data.Id ?? Guid.CreateVersion7();
        var u = data.Usage;
        context.AgentSteps.Add(new AgentStepRow
        {
            Id = id,
            RunId = invocation.RunId,
            InvocationId = data.InvocationId,
            StepNumber = data.StepNumber,
            ModelProvider = data.ModelProvider,
            ModelId = data.ModelId,
            FunctionId = data.FunctionId,
            Metadata = data.Metadata?.GetRawText(),
            Text = data.Text,
            ReasoningText = data.ReasoningText,
            Reasoning = data.Reasoning?.GetRawText(),
            Content = data.Content?.GetRawText(),
            Files = data.Files?.GetRawText(),
            Sources = data.Sources?.GetRawText(),
            FinishReason = data.FinishReason,
            RawFinishReason = data.RawFinishReason,
            InputTokens = u?.InputTokens,
            OutputTokens = u?.OutputTokens,
            TotalTokens = u?.TotalTokens,
            InputTokensNoCacheTokens = u?.InputNoCacheTokens,
            InputTokensCacheReadTokens = u?.InputCacheReadTokens,
            InputTokensCacheWriteTokens = u?.InputCacheWriteTokens,
            OutputTokensTextTokens = u?.OutputTextTokens,
            OutputTokensReasoningTokens = u?.OutputReasoningTokens,
            UsageRaw = u?.Raw?.GetRawText(),
            Warnings = data.Warnings?.GetRawText(),
            RequestBody = data.RequestBody?.GetRawText(),
            ResponseId = data.ResponseId,
            ResponseModelId = data.ResponseModelId,
            ResponseHeaders = data.ResponseHeaders?.GetRawText(),
            ResponseBody = data.ResponseBody?.GetRawText(),
            ResponseTimestamp = data.ResponseTimestamp,
            ProviderMetadata = data.ProviderMetadata?.GetRawText(),
            CreatedAt = Now(),
        });
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task<Guid> CreateToolCallAsync(NewToolCall data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var step = await context.AgentSteps.Where(s => s.Id == data.StepId).Select(s => new { s.RunId, s.InvocationId }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("agent_steps", data.StepId.ToString());
        var id = data.Id ?? Guid.CreateVersion7();
        context.ToolCalls.Add(new ToolCallRow
        {
            Id = id,
            RunId = step.RunId,
            StepId = data.StepId,
            InvocationId = step.InvocationId,
            ToolCallId = data.ToolCallId,
            ToolName = data.ToolName,
            Input = data.Input?.GetRawText(),
            Output = data.Output?.GetRawText(),
            OutputType = data.OutputType,
            IsDynamic = data.IsDynamic,
            IsInvalid = data.IsInvalid,
            Error = data.Error?.GetRawText(),
            IsPreliminary = data.IsPreliminary,
            IsProviderExecuted = data.IsProviderExecuted,
            Title = data.Title,
            ProviderMetadata = data.ProviderMetadata?.GetRawText(),
            CreatedAt = Now(),
        });
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task<Guid> CreateMemoryRecordAsync(NewMemoryRecord data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var phase = await context.PhaseResults.Where(p => p.Id == data.PhaseResultId).Select(p => new { p.RunId, p.Phase }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("phase_results", data.PhaseResultId.ToString());
        if (data.InvocationId is { } invocationId && !await context.AgentInvocations.AnyAsync(a => a.Id == invocationId && a.RunId == phase.RunId, cancellationToken))
        {
            throw new ArgumentException("The invocation is missing or in another run.", nameof(data));
        }
        var id = data.Id ?? Guid.CreateVersion7();
        var row = new MemoryRecordRow
        {
            Id = id,
            RunId = phase.RunId,
            PhaseResultId = data.PhaseResultId,
            InvocationId = data.InvocationId,
            Phase = phase.Phase,
            Kind = data.Kind,
            Content = data.Content,
            CreatedAt = Now(),
        };
        if (_sqlite)
        {
            // SQLite has no identity column here: the writer numbers the records itself, under the
            // write lock (BEGIN IMMEDIATE), or two concurrent writers read the same MAX(seq).
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
            row.Seq = (await context.MemoryRecords.MaxAsync(m => (long?)m.Seq, cancellationToken) ?? 0) + 1;
            context.MemoryRecords.Add(row);
            await context.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return id;
        }
        context.MemoryRecords.Add(row);
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// Environment variable: <c>projection</c> makes <see cref="GetMemoryRecordsAsync"/> the hand-tuned EF read
    /// (a projection, nothing tracked) instead of the naive one (<c>--ef-projection</c>; inherited by
    /// BenchmarkDotNet's child processes).
    /// </summary>
    public const string ReadVariable = "AGENTPIPELINE_BENCH_EF_READ";

    public static readonly bool ProjectsReads = Environment.GetEnvironmentVariable(ReadVariable) == "projection";

    public async Task<IReadOnlyList<MemoryRecord>> GetMemoryRecordsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var query = context.MemoryRecords
            .Where(m => m.RunId == runId)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Seq);
        // Naive: EF's default, a tracked entity per row, then the caller's type.
        var records = ProjectsReads
            ? await query.Select(m => new MemoryRecord(m.Id, m.Phase, m.Kind, m.Content, m.CreatedAt)
                { RunId = m.RunId, PhaseResultId = m.PhaseResultId, InvocationId = m.InvocationId }).ToListAsync(cancellationToken)
            : (await query.ToListAsync(cancellationToken)).ConvertAll(m => new MemoryRecord(m.Id, m.Phase, m.Kind, m.Content, m.CreatedAt)
                { RunId = m.RunId, PhaseResultId = m.PhaseResultId, InvocationId = m.InvocationId });
        if (records.Count == 0 && !await context.FeatureRuns.AnyAsync(r => r.Id == runId, cancellationToken))
        {
            throw new RecordNotFoundException("feature_runs", runId.ToString());
        }
        return records;
    }

    public async Task<Guid> CreateCtaEventAsync(NewCtaEvent data, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        if (!await context.FeatureRuns.AnyAsync(r => r.Id == data.RunId, cancellationToken))
        {
            throw new RecordNotFoundException("feature_runs", data.RunId.ToString());
        }
        var id = data.Id ?? Guid.CreateVersion7();
        context.CtaEvents.Add(new CtaEventRow
        {
            Id = id,
            RunId = data.RunId,
            PhaseResultId = data.PhaseResultId,
            InvocationId = data.InvocationId,
            ToolCallId = data.ToolCallId,
            Kind = data.Kind,
            RequestMessage = data.RequestMessage,
            RequestPrompt = data.RequestPrompt,
            RequestPlaceholder = data.RequestPlaceholder,
            RequestOptions = data.RequestOptions is { } options ? JsonSerializer.Serialize(options.Select(o => new { id = o.Id, label = o.Label })) : null,
            RequestedAt = Now(),
        });
        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task CompleteCtaEventAsync(Guid ctaId, CtaResponse response, CancellationToken cancellationToken = default)
    {
        await using var context = _create();
        var cta = await context.CtaEvents.Where(c => c.Id == ctaId).Select(c => new { c.Kind, c.RequestOptions, c.RespondedAt }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new RecordNotFoundException("cta_events", ctaId.ToString());
        var matches = cta.Kind switch
        {
            CtaKind.Approval => response.Approved is not null && response.Text is null && response.SelectedId is null,
            CtaKind.Text => response.Text is not null && response.Approved is null && response.Reason is null && response.SelectedId is null,
            _ => response.SelectedId is not null && cta.RequestOptions is { } options && options.Contains($"\"{response.SelectedId}\"", StringComparison.Ordinal),
        };
        if (!matches)
        {
            throw new ArgumentException("The answer does not match the question.", nameof(response));
        }
        var now = Now();
        var updated = await context.CtaEvents
            .Where(c => c.Id == ctaId && c.RespondedAt == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.ResponseApproved, response.Approved)
                .SetProperty(c => c.ResponseReason, response.Reason)
                .SetProperty(c => c.ResponseText, response.Text)
                .SetProperty(c => c.ResponseSelectedId, response.SelectedId)
                .SetProperty(c => c.RespondedAt, now), cancellationToken);
        if (updated == 0)
        {
            throw new InvalidOperationException($"CTA {ctaId} was already resolved.");
        }
    }

    private static DateTimeOffset Now()
    {
        var ticks = DateTimeOffset.UtcNow.UtcTicks;
        return new DateTimeOffset(ticks - ticks % 10, TimeSpan.Zero);
    }

    /// <summary>The library's per-connection pragmas, run once per pooled SQLite connection.</summary>
    private sealed class SqliteConnectionSetup : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA cache_size = -16384;";
        private readonly ConcurrentDictionary<nint, bool> _done = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            if (IsNew(connection))
            {
                using var command = connection.CreateCommand();
                command.CommandText = Pragmas;
                command.ExecuteNonQuery();
            }
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (IsNew(connection))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = Pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        private bool IsNew(DbConnection connection) =>
            _done.TryAdd(((SqliteConnection)connection).Handle!.DangerousGetHandle(), true);
    }
}
