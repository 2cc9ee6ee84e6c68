using System.Data.Common;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>Migrations on PostgreSQL wait for the documented advisory lock.</summary>
public sealed class PostgreSqlMigrationLockTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
    [Fact]
    public async Task A_migration_leaves_one_idle_connection_in_the_pool_not_the_lock_s_as_well()
    {
        var target = await Fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target);
        await db.MigrateAsync();
        DateTime migrated;
        await using (var raw = Fixture.OpenRawConnection(target))
        await using (var now = raw.CreateCommand())
        {
            now.CommandText = "SELECT clock_timestamp()";
            migrated = (DateTime)(await now.ExecuteScalarAsync())!;
        }

        // Hold three of the handle's connections at once: those the pool had idle were opened
        // during the migration, any others now. Npgsql hands idle connections out in turn, so a
        // second idle one would make every later call alternate between two server backends.
        var source = ((Internal.PostgreSql.PostgreSqlDialect)db.Dialect).DataSource;
        var held = new List<Npgsql.NpgsqlConnection>();
        var fromMigration = 0;
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = await source.OpenConnectionAsync();
                held.Add(connection);
                await using var started = new Npgsql.NpgsqlCommand("SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()", connection);
                if ((DateTime)(await started.ExecuteScalarAsync())! < migrated)
                {
                    fromMigration++;
                }
            }
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
        Assert.Equal(1, fromMigration);
    }

    /// <param name="commandTimeout">
    /// A target with a short command timeout: the wait for another process's migration is not cut
    /// short by it (that migration may rewrite large tables); the lock is held past the timeout.
    /// </param>
    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    public async Task While_another_session_holds_the_documented_advisory_lock_a_migration_waits_for_it(int? commandTimeout)
    {
        const long key = 4712847060138748272; // README: "AgentPip" as a big-endian 64-bit integer
        var target = await Fixture.CreateDatabaseAsync();
        await using var holder = Fixture.OpenRawConnection(target);
        await using (var lockIt = holder.CreateCommand())
        {
            lockIt.CommandText = $"SELECT pg_advisory_lock({key})";
            await lockIt.ExecuteNonQueryAsync();
        }
        await using var db = PipelineDb.Open(commandTimeout is { } seconds ? $"{target};Command Timeout={seconds}" : target);

        var migrating = db.MigrateAsync();
        // Wait (bounded) until the migration is seen queued behind the lock: a lock wait, not a sleep.
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (await WaitersAsync(holder) == 0)
        {
            Assert.False(migrating.IsCompleted, "the migration did not wait for the advisory lock");
            Assert.True(DateTime.UtcNow < deadline, "no session ever waited for the advisory lock");
            await Task.Delay(20);
        }
        Assert.False(migrating.IsCompleted);
        if (commandTimeout is { } timeout)
        {
            // Held for twice the command timeout (the condition under test is a timeout, so the
            // observation window is time): the migration is still waiting, not failed.
            var first = await Task.WhenAny(migrating, Task.Delay(TimeSpan.FromSeconds(2 * timeout)));
            Assert.NotSame(migrating, first);
        }
        Assert.Empty(await Fixture.QueryAsyncOn(target, "SELECT 1 FROM pg_namespace WHERE nspname = 'agent'"));

        await using (var unlock = holder.CreateCommand())
        {
            unlock.CommandText = $"SELECT pg_advisory_unlock({key})";
            await unlock.ExecuteNonQueryAsync();
        }
        await migrating.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(db.GetKnownMigrations(), await db.GetAppliedMigrationsAsync());

        static async Task<long> WaitersAsync(DbConnection connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }
}
