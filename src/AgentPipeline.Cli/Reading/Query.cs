using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Internal;

namespace AgentPipeline.Cli.Reading;

/// <summary>
/// The CLI's reads: plain SQL through the library's own sessions and value mapping (ids, instants,
/// escaped text come back as the caller wrote them), so a reading command starts without building
/// EF Core's model or compiling LINQ queries, which was most of its start-up time (docs/performance.md).
/// Statements are static: placeholders are the library's (<c>{s}</c> = schema), values are parameters.
/// </summary>
internal static class Query
{
    /// <summary>A statement returning columns of the given types; parameters in the order given.</summary>
    public static Sql Statement(string template, Param[] parameters, params Param[] results) => new(template, parameters, results);

    public static Param P(string name, Col type) => new(name, type);

    /// <summary>Every row, each column mapped by its declared type.</summary>
    public static Task<List<object?[]>> RowsAsync(PipelineDb db, Sql sql, object?[] args, CancellationToken cancellationToken) =>
        db.RunAsync(write: false, (session, ct) => session.QueryRowsAsync(sql, args, ct), cancellationToken).AsTask();

    /// <summary>The first row, or null.</summary>
    public static async Task<object?[]?> RowAsync(PipelineDb db, Sql sql, object?[] args, CancellationToken cancellationToken) =>
        (await RowsAsync(db, sql, args, cancellationToken)).FirstOrDefault();

    /// <summary>The single long the statement returns (a count or sum); 0 when NULL.</summary>
    public static async Task<long> LongAsync(PipelineDb db, Sql sql, object?[] args, CancellationToken cancellationToken) =>
        (await RowAsync(db, sql, args, cancellationToken))?[0] is long value ? value : 0;

    public static Guid Guid(object? value) => (Guid)value!;

    public static Guid? NullableGuid(object? value) => value as Guid?;

    public static DateTimeOffset Time(object? value) => (DateTimeOffset)value!;

    public static DateTimeOffset? NullableTime(object? value) => value as DateTimeOffset?;

    public static string Text(object? value) => (string)value!;

    public static string? NullableText(object? value) => value as string;

    public static long? NullableLong(object? value) => value as long?;

    public static bool? NullableBool(object? value) => value as bool?;

    public static T Enum<T>(object? value) where T : struct, System.Enum => DbEnum<T>.Parse((string)value!);

    public static T? NullableEnum<T>(object? value) where T : struct, System.Enum => value is string s ? DbEnum<T>.Parse(s) : null;
}
