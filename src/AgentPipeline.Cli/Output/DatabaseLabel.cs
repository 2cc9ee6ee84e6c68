using System.Runtime.CompilerServices;
using AgentPipeline.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// Says which database a handle talks to, in words a user can act on, without secrets. The handle
/// does not say where it points, so the options it was opened with are kept beside it.
/// </summary>
internal static class DatabaseLabel
{
    private static readonly ConditionalWeakTable<PipelineDb, PipelineDbOptions> Options = new();

    /// <summary>Keeps the options <paramref name="db"/> was opened with, for the other members.</summary>
    public static void Remember(PipelineDb db, PipelineDbOptions options) => Options.AddOrUpdate(db, options);

    /// <summary>The connection string <paramref name="db"/> was opened with.</summary>
    public static string ConnectionString(PipelineDb db) =>
        Options.TryGetValue(db, out var options) ? options.ConnectionString : throw new InvalidOperationException("The handle was not opened by DatabaseTarget.");

    /// <summary>The SQLite file's path (as given, possibly relative or empty), or null on PostgreSQL.</summary>
    public static string? SqlitePath(PipelineDb db) =>
        db.Provider == PipelineProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString(db)).DataSource : null;

    /// <summary>The Npgsql connection string, or null on SQLite.</summary>
    public static string? PostgreSqlConnectionString(PipelineDb db) =>
        db.Provider == PipelineProvider.PostgreSql ? ConnectionString(db) : null;

    public static string Describe(PipelineDb db) => db.Provider switch
    {
        PipelineProvider.Sqlite => $"SQLite file {Path.GetFullPath(SqlitePath(db)!)}",
        PipelineProvider.PostgreSql => Describe(new NpgsqlConnectionStringBuilder(ConnectionString(db))),
        _ => db.Provider.ToString(),
    };

    private static string Describe(NpgsqlConnectionStringBuilder b) =>
        $"PostgreSQL {(b.Username is { Length: > 0 } user ? user + "@" : "")}{b.Host}:{b.Port}/{b.Database} (schema agent)";
}
