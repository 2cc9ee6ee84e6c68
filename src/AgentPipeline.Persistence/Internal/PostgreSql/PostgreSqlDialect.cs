using System.Data.Common;
using AgentPipeline.Persistence.Schema;
using Npgsql;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>
/// PostgreSQL through one <see cref="NpgsqlDataSource"/> (Npgsql's pool). Statements are prepared
/// by Npgsql's automatic preparation, which keeps them per physical connection; pooled
/// connections are not reset between calls unless the connection string asks for it.
/// </summary>
internal sealed partial class PostgreSqlDialect : Dialect
{
    // What differs from SQLite (see each on Dialect): writers side by side, over the network.
    public PostgreSqlDialect(string connectionString)
        : base(rowLocks: true, numbersMemorySeq: false, retriesTransientErrors: true, completesSynchronously: false,
            batchIsTransaction: true, multiRowInserts: true)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            // The store changes no session state on pooled connections (no SET but SET LOCAL, which
            // ends with its transaction (Sql.Plan), no temporary tables, LISTEN — the CTA listener has
            // a connection of its own — or advisory locks; an open transaction is rolled back by
            // Npgsql either way), so a pooled
            // connection need not be reset between calls. The reset is seven statements sent
            // ahead of the next call's own: 268 → 167 µs per CreateToolCall, measured.
            builder.NoResetOnClose = true;
        }
        _connectionString = builder.ConnectionString;
        DataSource = new NpgsqlDataSourceBuilder(_connectionString).Build();
        // The CTA listener's connection (Waiting/PostgreSqlCtaListener): outside the pool, so that
        // its LISTEN never reaches a connection a call uses; a keepalive every 30 s (unless the
        // caller set one) so that a dead connection is noticed while it only waits.
        var listener = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, Multiplexing = false };
        if (listener.KeepAlive == 0)
        {
            listener.KeepAlive = 30;
        }
        ListenerConnectionString = listener.ConnectionString;
    }

    /// <summary>How the CTA listener connects: the caller's settings, unpooled.</summary>
    public string ListenerConnectionString { get; }

    // The data source's own ConnectionString leaves the password out; a second, unpooled source
    // (the migration lock's, see PostgreSqlDialect.Migrations.cs) needs it.
    private readonly string _connectionString;

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Whether the caller's connection string sets one of these keywords itself.</summary>
    private static bool Mentions(string connectionString, params string[] keywords)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keywords.Any(k => given.Keys.Cast<string>().Any(g => string.Equals(g.Replace(" ", "", StringComparison.Ordinal),
            k.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)));
    }

    public override PipelineProvider Kind => PipelineProvider.PostgreSql;

    public override string Schema => "agent";

    public override PipelineDbContext CreateDbContext() => ContextFactory.CreatePostgreSql(DataSource);

    public override async ValueTask<Session> OpenAsync(bool write, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new PostgreSqlSession(this, connection);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    public override Exception Translate(Exception exception) => PostgreSqlErrors.Translate(exception);

    public override ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
