using AgentPipeline.Persistence.Schema;
using Npgsql;

namespace AgentPipeline.Persistence.Internal.PostgreSql;

/// <summary>Migrations one process at a time, under an advisory lock.</summary>
internal sealed partial class PostgreSqlDialect
{
    public override async Task MigrateExclusivelyAsync(Func<CancellationToken, Task<bool>> stillMissing, Func<CancellationToken, Task> migrate,
        CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A transaction-scoped lock: released at its end however the call ends, even on a
            // pooled connection that is not reset (a session lock would outlive a failed unlock).
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.Add(new NpgsqlParameter<long>("key", MigrationHistory.PostgreSqlLockKey));
                    // Waits as long as the migration another process is running takes (its tables may
                    // be large): no command timeout; cancellationToken still ends the wait.
                    command.CommandTimeout = 0;
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                // Whoever held the lock before may have applied everything already.
                if (await stillMissing(cancellationToken).ConfigureAwait(false))
                {
                    await migrate(cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
