using C = AgentPipeline.Persistence.Internal.Tables.Column<AgentPipeline.Persistence.NewMemoryRecord>;

namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>memory_records: notes a phase leaves for later phases of the same run (data-model.md).</summary>
internal static class MemoryRecords
{
    public const string Name = "memory_records";

    /// <summary>What <c>CreateMemoryRecord</c> writes from <see cref="NewMemoryRecord"/>, <c>id</c> first.</summary>
    public static readonly ColumnSet<NewMemoryRecord> Create = new(Name,
    [
        C.NewId("id", d => d.Id),
        C.Id("phase_result_id", d => d.PhaseResultId),
        C.OptionalId("invocation_id", d => d.InvocationId),
        C.Enum("kind", d => d.Kind),
        C.Required("content", d => d.Content),
    ]);

    /// <summary>
    /// <c>run_id</c> and <c>phase</c> are copied from the phase result, <c>created_at</c> stamped;
    /// <c>seq</c>, the insertion order, is given by the database.
    /// </summary>
    public static readonly TableDefinition Definition = new(Name,
        [new("run_id", Col.Guid, false), new("phase", Col.Text, false), new("created_at", Col.Time, false), new("seq", Col.Long, false)],
        Create.Shapes);
}
