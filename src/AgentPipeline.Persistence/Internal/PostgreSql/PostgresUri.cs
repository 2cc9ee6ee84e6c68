using Npgsql;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>Turns <c>postgresql://user:pass@host:port/db?sslmode=…</c> into an Npgsql connection string.</summary>
internal static class PostgresUri
{
    /// <exception cref="ArgumentException">The URI is malformed; the message does not repeat it (it may hold a password).</exception>
    public static string ToConnectionString(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || string.IsNullOrEmpty(u.Host))
        {
            throw new ArgumentException("The PostgreSQL URI is malformed; expected postgresql://user:password@host:port/database.", nameof(uri));
        }
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = u.Host,
            Port = u.IsDefaultPort || u.Port <= 0 ? 5432 : u.Port,
        };
        var db = Uri.UnescapeDataString(u.AbsolutePath.TrimStart('/'));
        if (db.Length > 0)
        {
            b.Database = db;
        }
        if (u.UserInfo.Length > 0)
        {
            var parts = u.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                b.Password = Uri.UnescapeDataString(parts[1]);
            }
        }
        foreach (var pair in u.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase))
            {
                b.SslMode = Enum.TryParse<SslMode>(kv[1], ignoreCase: true, out var mode)
                    ? mode
                    : throw new ArgumentException($"sslmode '{kv[1]}' is not one of {string.Join(", ", Enum.GetNames<SslMode>())}.", nameof(uri));
            }
        }
        return b.ConnectionString;
    }
}
