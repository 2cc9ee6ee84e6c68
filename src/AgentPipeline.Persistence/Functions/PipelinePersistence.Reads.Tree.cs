using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Reading;

namespace AgentPipeline.Persistence;

/// <summary>Reading back: a whole run as a tree, with or without its large values.</summary>
public static partial class PipelinePersistence
{
    /// <summary>One statement per table, all of the run's rows by <c>run_id</c>; the tree is put together in memory.</summary>
    internal sealed class TreeReads(RowReaders.Phases phases, RowReaders.Invocations invocations, RowReaders.Steps steps, RowReaders.Tools tools)
    {
        public static readonly TreeReads Whole = new(RowReaders.Phases.Whole, RowReaders.Invocations.Whole, RowReaders.Steps.Whole, RowReaders.Tools.Whole);
        public static readonly TreeReads Light = new(RowReaders.Phases.Light, RowReaders.Invocations.Light, RowReaders.Steps.Light, RowReaders.Tools.Light);

        public RowReaders.Phases Phases { get; } = phases;
        public RowReaders.Invocations Invocations { get; } = invocations;
        public RowReaders.Steps Steps { get; } = steps;
        public RowReaders.Tools Tools { get; } = tools;

        public Sql PhasesSql { get; } = ByRun(phases.Projection, "t.started_at, t.id");
        public Sql InvocationsSql { get; } = ByRun(invocations.Projection, "t.started_at, t.id");
        // The orders of IX_agent_steps_tree and IX_tool_calls_tree (TreeColumns), so neither is sorted.
        public Sql StepsSql { get; } = ByRun(steps.Projection, string.Join(", ", TreeColumns.StepKey.Skip(1).Select(c => "t." + c)));
        public Sql ToolsSql { get; } = ByRun(tools.Projection, string.Join(", ", TreeColumns.ToolKey.Skip(1).Select(c => "t." + c)));

        private static Sql ByRun(Projection projection, string order) =>
            new($"SELECT {projection.List("t")} FROM {{s}}.{projection.Table} t WHERE t.run_id = @run_id ORDER BY {order}", [P("run_id", Col.Guid)]);
    }

    private static readonly Sql CtasByRun = new(
        $"SELECT {RowReaders.Ctas.Whole.Projection.List("t")} FROM {{s}}.cta_events t WHERE t.run_id = @run_id ORDER BY t.requested_at, t.id",
        [P("run_id", Col.Guid)]);

    /// <summary>
    /// A whole run, read in one consistent snapshot: the run (as <see cref="GetFeatureRunAsync"/> gives
    /// it), its phase results by <c>started_at</c>, each with its top-level invocations (sub-agents nested
    /// under the invocation that spawned them), their steps by <c>step_number</c> and the steps' tool
    /// calls; and the run's memory records and CTAs. It takes one statement per table whatever the
    /// run's size. Without <see cref="RunTreeOptions.IncludeContent"/> the large columns are not read
    /// and are null in the records.
    /// </summary>
    /// <param name="db">The store.</param>
    /// <param name="runId">The run.</param>
    /// <param name="options">What to load; null for <see cref="RunTreeOptions.Default"/> (no large columns).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is empty; nothing was read.</exception>
    /// <exception cref="RecordNotFoundException">The run does not exist.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task<RunTree> GetRunTreeAsync(PipelineDb db, Guid runId, RunTreeOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        Check.Id(runId, nameof(runId));
        var reads = options?.IncludeContent == true ? TreeReads.Whole : TreeReads.Light;
        return await db.RunAsync(write: false, async (session, ct) =>
        {
            await session.BeginSnapshotAsync(ct).ConfigureAwait(false);
            var run = await ReadFeatureRunAsync(session, runId, ct).ConfigureAwait(false);
            object?[] args = [runId];
            var phases = await session.ReadAsync(reads.PhasesSql, args, reads.Phases.Read, ct).ConfigureAwait(false);
            var invocations = await session.ReadAsync(reads.InvocationsSql, args, reads.Invocations.Read, ct).ConfigureAwait(false);
            var steps = await session.ReadAsync(reads.StepsSql, args, reads.Steps.Read, ct).ConfigureAwait(false);
            var tools = await session.ReadAsync(reads.ToolsSql, args, reads.Tools.Read, ct).ConfigureAwait(false);
            await Internal.Content.SharedRecords.ResolveRunAsync(session, runId, invocations, steps, tools, ct).ConfigureAwait(false);
            var memory = await ReadMemoryRecordsAsync(session, db.Dialect, runId, ct).ConfigureAwait(false);
            var ctas = await session.ReadAsync(CtasByRun, args, RowReaders.Ctas.Whole.Read, ct).ConfigureAwait(false);
            await session.CommitAsync(ct).ConfigureAwait(false);
            return new RunTree
            {
                Run = run,
                Phases = Assemble(phases, invocations, steps, tools),
                MemoryRecords = memory,
                CtaEvents = ctas,
            };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Nests the rows, each list keeping the order its statement read it in.</summary>
    private static List<PhaseNode> Assemble(List<PhaseResult> phases, List<AgentInvocation> invocations, List<AgentStep> steps, List<ToolCall> tools)
    {
        var toolsByStep = tools.GroupBy(t => t.StepId).ToDictionary(g => g.Key, g => (IReadOnlyList<ToolCall>)[.. g]);
        var stepsByInvocation = steps.GroupBy(s => s.InvocationId).ToDictionary(g => g.Key, g => (IReadOnlyList<StepNode>)
            [.. g.Select(s => new StepNode { Step = s, ToolCalls = toolsByStep.GetValueOrDefault(s.Id) ?? [] })]);
        var children = invocations.Where(i => i.ParentInvocationId is not null).ToLookup(i => i.ParentInvocationId!.Value);
        InvocationNode Node(AgentInvocation invocation) => new()
        {
            Invocation = invocation,
            Steps = stepsByInvocation.GetValueOrDefault(invocation.Id) ?? [],
            SubAgents = [.. children[invocation.Id].Select(Node)],
        };
        var topLevel = invocations.Where(i => i.ParentInvocationId is null).ToLookup(i => i.PhaseResultId);
        return [.. phases.Select(p => new PhaseNode { Phase = p, Invocations = [.. topLevel[p.Id].Select(Node)] })];
    }
}
