namespace AgentPipeline.Persistence.Tests.Redaction;

/// <summary>
/// One realistic value a model SDK hands the store. <see cref="Template"/> plants fake secrets through
/// <c>{{type}}</c> placeholders (see <see cref="FakeSecrets"/>); <see cref="Kinds"/> are the marker kinds expected
/// in its place; <see cref="Keep"/> are look-alikes that must survive untouched.
/// </summary>
internal sealed record CorpusSample(string Name, string Table, string Column, string Template, string[] Kinds, string[] Keep)
{
    public RedactionContext Context => new(Table, Column);

    public override string ToString() => Name;
}
