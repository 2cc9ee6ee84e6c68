using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentPipeline.Persistence.Internal;

/// <summary>A database described for a person or a log: host, port and database, or the file; never a password.</summary>
internal static class SafeTarget
{
    public static string Describe(PipelineDbOptions options)
    {
        try
        {
            if (options.Provider == PipelineProvider.PostgreSql)
            {
                var b = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
            }
            return "SQLite " + new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
        }
        catch (ArgumentException)
        {
            return options.Provider.ToString();
        }
    }
}
