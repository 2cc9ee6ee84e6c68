using System.Reflection;
using AgentPipeline.Persistence.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AgentPipeline.Persistence.Schema;

/// <summary>
/// What <see cref="PipelineDb.MigrateAsync"/> needs without building EF Core's model or migrator:
/// the migrations this assembly holds for each provider (found by their attributes, the way EF
/// Core finds them) and the ones a database has applied (one read of its history table).
/// </summary>
internal static class MigrationHistory
{
    /// <summary>
    /// The PostgreSQL advisory lock key every <see cref="PipelineDb.MigrateAsync"/> holds while it
    /// migrates (transaction-scoped, so it is released however the call ends): the bytes of
    /// "AgentPip" as a big-endian 64-bit integer. Advisory locks are per database.
    /// </summary>
    public const long PostgreSqlLockKey = 4712847060138748272;

    private static readonly Lazy<string[]> Sqlite = new(() => Find(typeof(SqlitePipelineDbContext)));
    private static readonly Lazy<string[]> PostgreSql = new(() => Find(typeof(PostgreSqlPipelineDbContext)));

    private static readonly Sql History = new(
        "SELECT \"MigrationId\" FROM {s}.\"" + ContextFactory.HistoryTable + "\"", [], [new Param("MigrationId", Col.Text)]);

    public static string[] Known(PipelineProvider provider) => provider switch
    {
        PipelineProvider.Sqlite => Sqlite.Value,
        PipelineProvider.PostgreSql => PostgreSql.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    /// <summary>Every <see cref="Migration"/> of the assembly whose <see cref="DbContextAttribute"/> names <paramref name="context"/>, by id (EF Core's order).</summary>
    private static string[] Find(Type context) =>
    [
        .. typeof(MigrationHistory).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Migration)) && !t.IsAbstract && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == context)
            .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
            .OfType<string>()
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>The applied migrations, oldest first; empty when the history table does not exist yet.</summary>
    public static async Task<IReadOnlyList<string>> AppliedAsync(PipelineDb db, CancellationToken cancellationToken)
    {
        if (!db.Dialect.DatabaseExists)
        {
            return []; // a read would create the file; EF Core's own check did not either
        }
        try
        {
            var ids = await db.RunAsync(write: false, (session, ct) => session.ReadAsync(History, [], row => row.Text(0), ct), cancellationToken)
                .ConfigureAwait(false);
            ids.Sort(StringComparer.Ordinal);
            return ids;
        }
        catch (SchemaMissingException)
        {
            return [];
        }
    }

    /// <summary>The known migrations <paramref name="applied"/> lacks.</summary>
    public static bool AnyMissing(PipelineProvider provider, IReadOnlyList<string> applied)
    {
        var set = applied.ToHashSet(StringComparer.Ordinal);
        return Known(provider).Any(id => !set.Contains(id));
    }
}
