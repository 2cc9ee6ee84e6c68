using System.Data.Common;
using AgentPipeline.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentPipeline.Cli.Output;

/// <summary>Reads run summaries back through the library's EF Core model, so what is shown is what was stored.</summary>
internal static class RunSummaryReader
{
    /// <exception cref="RecordNotFoundException">A run does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<IReadOnlyList<RunSummary>> ReadAsync(PipelineDb db, IReadOnlyList<Guid> runIds, CancellationToken cancellationToken)
    {
        await using var context = db.CreateDbContext();
        try
        {
            var summaries = new List<RunSummary>(runIds.Count);
            foreach (var id in runIds)
            {
                var run = await context.FeatureRuns.Where(r => r.Id == id)
                    .Select(r => new { r.Prompt, r.CurrentPhase, r.SandboxId })
                    .SingleOrDefaultAsync(cancellationToken)
                    ?? throw new RecordNotFoundException("feature_runs", id.ToString());
                var sandbox = run.SandboxId is null
                    ? null
                    : await context.Sandboxes.Where(s => s.Id == run.SandboxId).Select(s => (SandboxStatus?)s.Status).SingleOrDefaultAsync(cancellationToken);
                var phases = await context.PhaseResults.Where(p => p.RunId == id)
                    .GroupBy(p => p.Status).Select(g => new { Status = g.Key, Count = g.Count() })
                    .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
                var failedPhase = await context.PhaseResults.Where(p => p.RunId == id && p.Status == PhaseStatus.Failed)
                    .Select(p => (FeaturePhase?)p.Phase).FirstOrDefaultAsync(cancellationToken);
                var ctas = context.CtaEvents.Where(c => c.RunId == id);
                summaries.Add(new RunSummary(
                    id,
                    run.Prompt,
                    run.CurrentPhase,
                    failedPhase,
                    sandbox,
                    phases.GetValueOrDefault(PhaseStatus.Passed),
                    phases.GetValueOrDefault(PhaseStatus.Failed),
                    phases.GetValueOrDefault(PhaseStatus.Running),
                    await context.AgentInvocations.CountAsync(i => i.RunId == id, cancellationToken),
                    await context.AgentSteps.CountAsync(s => s.RunId == id, cancellationToken),
                    await context.ToolCalls.CountAsync(t => t.RunId == id, cancellationToken),
                    await context.MemoryRecords.CountAsync(m => m.RunId == id, cancellationToken),
                    await ctas.CountAsync(c => c.RespondedAt != null && !c.TimedOut, cancellationToken),
                    await ctas.CountAsync(c => c.TimedOut, cancellationToken),
                    await ctas.CountAsync(c => c.RespondedAt == null, cancellationToken),
                    await context.AgentInvocations.Where(i => i.RunId == id).SumAsync(i => (long?)i.TotalTokens, cancellationToken) ?? 0));
            }
            return summaries;
        }
        catch (DbException e)
        {
            throw db.Dialect.Translate(e);
        }
    }

    /// <summary>How many runs the database holds in all, to show that a second demo adds to the first.</summary>
    public static async Task<int> CountRunsAsync(PipelineDb db, CancellationToken cancellationToken)
    {
        await using var context = db.CreateDbContext();
        try
        {
            return await context.FeatureRuns.CountAsync(cancellationToken);
        }
        catch (DbException e)
        {
            throw db.Dialect.Translate(e);
        }
    }
}
