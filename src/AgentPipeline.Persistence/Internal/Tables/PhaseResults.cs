using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewPhaseResult>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>phase_results: one phase of a run, running until it passes or fails (data-model.md).</summary>
internal static class PhaseResults
{
    public const string Name = "phase_results";

    public static readonly C Id = C.NewId("id", d => d.Id);
    public static readonly C RunId = C.Id("run_id", d => d.RunId);
    public static readonly C Phase = C.Enum("phase", d => d.Phase);

    /// <summary>What <c>CreatePhaseResult</c> writes from <see cref="NewPhaseResult"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewPhaseResult> Create = new(Name, [Id, RunId, Phase]);

    public static readonly ColumnShape Status = new("status", Col.Text, false);
    public static readonly ColumnShape Output = new("output", Col.Json, true);
    public static readonly ColumnShape StartedAt = new("started_at", Col.Time, false);
    public static readonly ColumnShape CompletedAt = new("completed_at", Col.Time, true);

    /// <summary>
    /// <c>status</c> starts running and <c>started_at</c> is stamped; passing or failing sets
    /// <c>status</c>, <c>output</c> (passed only) and stamps <c>completed_at</c>.
    /// </summary>
    public static readonly TableDefinition Definition = new(Name,
        [Status, Output, StartedAt, CompletedAt], Create.Shapes);
}
