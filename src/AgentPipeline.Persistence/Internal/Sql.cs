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

    /// <summary>
    /// PostgreSQL: how the server's plan cache plans the statement (<see cref="PlanChoice"/>); as the
    /// server chooses unless said otherwise.
    /// </summary>
    public PlanChoice Plan { get; init; }

    private string? _planText;

    /// <summary>
    /// <see cref="Plan"/>'s text for a call outside a transaction: the statement in a transaction of its
    /// own with <c>plan_cache_mode</c> set for it (<c>SET LOCAL</c>, which ends with the transaction),
    /// sent with it in one round trip. In <c>auto</c> mode the server plans a prepared statement for its
    /// values (a custom plan) the first five times, then keeps the plan made for any values (the generic
    /// plan) while that plan's estimated cost is below the custom plans' average plus a small charge for
    /// planning: a choice by estimates, which can go either way for the same statement as a table grows.
    /// </summary>
    public string PlanText(Dialect dialect) => _planText ??= "BEGIN; SET LOCAL plan_cache_mode = "
        + (Plan == PlanChoice.Generic ? "force_generic_plan" : "force_custom_plan") + "; " + TextFor(dialect) + "; COMMIT";
}

/// <summary>PostgreSQL: which plan a prepared statement runs with (<see cref="Sql.Plan"/>).</summary>
internal enum PlanChoice
{
    /// <summary>As the server's <c>plan_cache_mode</c> (by default <c>auto</c>) chooses.</summary>
    Auto,

    /// <summary>The plan made for any values, made once: for a statement whose best plan is the same whatever its values (a walk of one index).</summary>
    Generic,

    /// <summary>A plan for the call's values, every call: for a statement whose best plan depends on a value, such as a text search.</summary>
    Custom,
}
