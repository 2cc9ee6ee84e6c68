using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.PostgreSql;
using AgentPipeline.Persistence.Internal.Sqlite;
using Npgsql;

namespace AgentPipeline.Cli.Output;

/// <summary>Says which database a handle talks to, in words a user can act on, without secrets.</summary>
internal static class DatabaseLabel
{
    public static string Describe(PipelineDb db) => db.Dialect switch
    {
        SqliteDialect sqlite => $"SQLite file {Path.GetFullPath(sqlite.DataSource)}",
        PostgreSqlDialect postgres => Describe(new NpgsqlConnectionStringBuilder(postgres.DataSource.ConnectionString)),
        _ => db.Provider.ToString(),
    };

    private static string Describe(NpgsqlConnectionStringBuilder b) =>
        $"PostgreSQL {(b.Username is { Length: > 0 } user ? user + "@" : "")}{b.Host}:{b.Port}/{b.Database} (schema agent)";
}
