using System.Data.Common;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Contract;

/// <summary>
/// MigrateAsync's cost on an up-to-date database (one read, no write, no lock), several processes
/// migrating one fresh database at once, and what a call on a database without the schema says.
/// </summary>
public abstract class MigrationTests<TFixture>(TFixture fixture) : ContractTests<TFixture>(fixture)
    where TFixture : StoreFixture
{
    private string History => Fixture.Provider == PipelineProvider.PostgreSql ? "agent.\"__EFMigrationsHistory\"" : "\"__EFMigrationsHistory\"";

    [Fact]
    public void The_known_migrations_are_the_ones_EF_Core_finds_in_the_assembly()
    {
        using var context = Db.CreateDbContext();
        var ef = context.Database.GetMigrations().ToList();

        Assert.NotEmpty(ef);
        Assert.Equal(ef, Db.GetKnownMigrations());
    }

    /// <summary>Holds what EF Core's migrator would wait for (SQLite: the write lock; PostgreSQL: an EXCLUSIVE lock on the history table).</summary>
    protected abstract Task<IAsyncDisposable> HoldMigratorLockAsync(DbConnection connection);

    /// <summary>A handle on <paramref name="target"/> whose waits for a lock end in an error after about a second.</summary>
    protected abstract PipelineDb OpenImpatient(string target);

    [Fact]
    public async Task Migrate_on_an_up_to_date_database_only_reads_so_it_succeeds_while_another_connection_holds_the_write_lock()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using (var first = PipelineDb.Open(target))
        {
            await first.MigrateAsync();
        }
        await using var holder = Fixture.OpenRawConnection(target);
        await using (await HoldMigratorLockAsync(holder))
        {
            await using var db = OpenImpatient(target);

            // EF Core's migrator takes a lock (a row in __EFMigrationsLock on SQLite, LOCK TABLE on
            // PostgreSQL) even when nothing is missing, so before this it waited and failed here.
            await db.MigrateAsync().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());
        }
    }

    [Fact]
    public async Task Three_processes_migrating_a_fresh_database_at_the_same_instant_all_succeed_and_apply_each_migration_once()
    {
        for (var round = 0; round < 3; round++)
        {
            var target = await Fixture.CreateDatabaseAsync();
            var workers = Enumerable.Range(0, 3).Select(_ => WorkerProcess.StartMigrate(target)).ToList();
            try
            {
                foreach (var worker in workers)
                {
                    Assert.Equal("ready", await worker.ReadLineAsync());
                }
                foreach (var worker in workers)
                {
                    worker.Go();
                }
                foreach (var worker in workers)
                {
                    var (exit, stdout, stderr) = await worker.WaitAsync();
                    Assert.True(exit == 0, $"round {round}: a worker exited {exit}: {stderr}");
                    Assert.Contains("migrated", stdout, StringComparison.Ordinal);
                }
            }
            finally
            {
                workers.ForEach(w => w.Dispose());
            }

            await using var connection = Fixture.OpenRawConnection(target);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT \"MigrationId\" FROM {History} ORDER BY \"MigrationId\"";
            var applied = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    applied.Add(reader.GetString(0));
                }
            }
            Assert.Equal(Db.GetKnownMigrations(), applied);
            await using var db = PipelineDb.Open(target);
            var run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "after a raced migration" });
            Assert.NotEqual(Guid.Empty, run);
        }
    }

    [Fact]
    public async Task A_call_on_a_database_without_the_schema_throws_SchemaMissingException_saying_to_migrate()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target);

        var write = await Assert.ThrowsAsync<SchemaMissingException>(() => CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Add dark mode" }));
        var read = await Assert.ThrowsAsync<SchemaMissingException>(() => GetMemoryRecordsAsync(db, Guid.NewGuid()));

        foreach (var e in new[] { write, read })
        {
            Assert.Contains("no pipeline schema", e.Message, StringComparison.Ordinal);
            Assert.Contains("MigrateAsync", e.Message, StringComparison.Ordinal);
            Assert.Contains("agentpipe migrate", e.Message, StringComparison.Ordinal);
            Assert.False(e.IsTransient);
            Assert.IsAssignableFrom<PipelinePersistenceException>(e);
            Assert.IsAssignableFrom<DbException>(e.InnerException);
        }
        Assert.Empty(await db.GetAppliedMigrationsAsync());

        await db.MigrateAsync();
        var run = await CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Add dark mode" });
        Assert.Single(await Fixture.QueryAsyncOn(target, $"SELECT id FROM {Fixture.T("feature_runs")}"));
        Assert.NotEqual(Guid.Empty, run);
    }

    [Fact]
    public async Task A_call_on_a_database_with_an_older_schema_throws_SchemaMissingException_saying_to_migrate()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target);
        await db.MigrateAsync();
        await Fixture.QueryAsyncOn(target, $"ALTER TABLE {Fixture.T("feature_runs")} DROP COLUMN github_branch");

        var e = await Assert.ThrowsAsync<SchemaMissingException>(() => CreateFeatureRunAsync(db, new NewFeatureRun { Prompt = "Add dark mode" }));

        Assert.Contains("older than this library", e.Message, StringComparison.Ordinal);
        Assert.Contains("agentpipe migrate", e.Message, StringComparison.Ordinal);
        Assert.Empty(await Fixture.QueryAsyncOn(target, $"SELECT id FROM {Fixture.T("feature_runs")}"));
    }
}

public sealed class SqliteMigrationTests(SqliteFixture f) : MigrationTests<SqliteFixture>(f)
{
    protected override Task<IAsyncDisposable> HoldMigratorLockAsync(DbConnection connection)
    {
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return Task.FromResult<IAsyncDisposable>(new Rollback(connection));
    }

    protected override PipelineDb OpenImpatient(string target) =>
        PipelineDb.Open(new PipelineDbOptions { SqliteBusyTimeout = TimeSpan.FromSeconds(1) }.UseSqlite(target));

    private sealed class Rollback(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "ROLLBACK";
            await command.ExecuteNonQueryAsync();
        }
    }
}

public sealed class PostgreSqlMigrationTests(PostgreSqlFixture f) : MigrationTests<PostgreSqlFixture>(f)
{
    protected override async Task<IAsyncDisposable> HoldMigratorLockAsync(DbConnection connection)
    {
        var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // EXCLUSIVE lets plain reads through and blocks every writer and every LOCK TABLE.
        command.CommandText = "LOCK TABLE agent.\"__EFMigrationsHistory\" IN EXCLUSIVE MODE";
        await command.ExecuteNonQueryAsync();
        return transaction;
    }

    protected override PipelineDb OpenImpatient(string target) =>
        PipelineDb.Open(new Npgsql.NpgsqlConnectionStringBuilder(target) { Options = "-c lock_timeout=1000" }.ConnectionString);
}
