using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewPhaseResult>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>phase_results: one phase of a run, running until it passes or fails (data-model.md).</summary>
internal static class PhaseResults
{
    public const string Name = "phase_results";

    /// <summary>What <c>CreatePhaseResult</c> writes from <see cref="NewPhaseResult"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewPhaseResult> Create = new(Name,
    [
        C.NewId("id", d => d.Id),
        C.Id("run_id", d => d.RunId),
        C.Enum("phase", d => d.Phase),
    ]);

    /// <summary>
    /// <c>status</c> starts running and <c>started_at</c> is stamped; passing or failing sets
    /// <c>status</c>, <c>output</c> (passed only) and stamps <c>completed_at</c>.
    /// </summary>
    public static readonly TableDefinition Definition = new(Name,
        [new("status", Col.Text, false), new("output", Col.Json, true), new("started_at", Col.Time, false), new("completed_at", Col.Time, true)],
        Create.Shapes);
}
