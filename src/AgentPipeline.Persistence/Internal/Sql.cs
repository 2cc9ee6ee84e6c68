namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// One statement: its text with placeholders resolved per dialect (<c>{s}</c> = schema,
/// <c>{forupdate}</c>, <c>{forshare}</c>,
/// <c>{forshareof:alias}</c> = row lock where the dialect has one), its parameters in binding order and
/// the types of the columns it returns. Placeholders are our own constants, never values.
/// </summary>
internal sealed class Sql
{
    private readonly string _template;
    // The resolved text, one per provider (the text depends only on the dialect's kind).
    private readonly string?[] _texts = new string?[Enum.GetValues<PipelineProvider>().Length];

    public Sql(string template, Param[] parameters, Param[]? results = null, bool arrays = false)
    {
        _template = template;
        Parameters = parameters;
        Results = results ?? [];
        Arrays = arrays;
    }

    public Param[] Parameters { get; }

    /// <summary>Every parameter is an array of its type, one element per row (PostgreSQL <c>unnest</c>).</summary>
    public bool Arrays { get; }

    public Param[] Results { get; }

    public string TextFor(Dialect dialect) => _texts[(int)dialect.Kind] ??= dialect.Resolve(_template);
}
