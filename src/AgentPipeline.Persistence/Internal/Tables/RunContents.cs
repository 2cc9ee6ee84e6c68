namespace AgentPipeline.Persistence.Internal.Tables;

/// <summary>
/// run_contents: the pieces of large values, each stored once per run by its hash (docs/storage.md).
/// Written only by the store, from the rows that hold those values (<see cref="Content.SharedColumns"/>):
/// <c>run_id</c> is copied from the row's parent, <c>hash</c> and <c>body</c> computed.
/// </summary>
internal static class RunContents
{
    public const string Name = "run_contents";

    public static readonly TableDefinition Definition = new(Name,
        [new("run_id", Col.Guid, false), new("hash", Col.Text, false), new("body", Col.Text, false)]);
}
