using System.Data.Common;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Persistence.Tests.Providers.PostgreSql;

/// <summary>Migrations on PostgreSQL wait for the documented advisory lock.</summary>
public sealed class PostgreSqlMigrationLockTests(PostgreSqlFixture f) : ContractTests<PostgreSqlFixture>(f)
{
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
