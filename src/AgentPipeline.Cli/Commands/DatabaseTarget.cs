using AgentPipeline.Persistence;
using AgentPipeline.Cli.Output;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentPipeline.Cli.Commands;

/// <summary>Opens what <c>--db</c> names, ready for use.</summary>
internal static class DatabaseTarget
{
    private const string HistoryTable = "__EFMigrationsHistory";

    /// <summary>Opens the target and brings its schema up to date, creating a SQLite file when there is none.</summary>
    /// <exception cref="ArgumentException">The target is not a path, connection string or URI the library accepts.</exception>
    /// <exception cref="CliException">The target is a SQLite database of something else.</exception>
    /// <exception cref="PipelineDatabaseException">The database cannot be reached or migrated, or the file is not a database.</exception>
    /// <param name="target">What <c>--db</c> says.</param>
    /// <param name="cancellationToken">Cancels opening and migrating.</param>
    /// <param name="time">The clock the store stamps times from; the system clock when null.</param>
    public static async Task<PipelineDb> OpenAsync(string target, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var db = await OpenUnmigratedAsync(target, cancellationToken, time);
        try
        {
            // Reading the history is much cheaper than MigrateAsync's own checks, and every command
            // starts here; a database that is up to date is the common case.
            var applied = await db.GetAppliedMigrationsAsync(cancellationToken);
            if (db.GetKnownMigrations().Except(applied, StringComparer.Ordinal).Any())
            {
                await db.MigrateAsync(cancellationToken);
            }
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing pipeline database whose schema is up to date, for every command but
    /// <c>demo</c> and <c>migrate</c>: nothing is created and nothing is migrated.
    /// </summary>
    /// <exception cref="CliException">
    /// There is no database there (exit 2), or it has no pipeline schema or an older one (exit 1,
    /// naming <c>agentpipe migrate</c>), or it is a SQLite database of something else (exit 1).
    /// </exception>
    /// <inheritdoc cref="OpenAsync" path="/exception"/>
    public static async Task<PipelineDb> OpenExistingAsync(string target, CancellationToken cancellationToken)
    {
        var db = Open(target, time: null);
        try
        {
            if (DatabaseLabel.SqlitePath(db) is { } path)
            {
                if (path.Length > 0 && path != ":memory:" && !File.Exists(path))
                {
                    // Opening it would create it: a mistyped name must not become a new, empty database.
                    throw new CliException(
                        $"no database at {Path.GetFullPath(path)}; create one with {CommandName.Text} migrate (or {CommandName.Text} demo), or check --db.",
                        ExitCodes.NotFound);
                }
                await RefuseForeignSqliteAsync(db, path, cancellationToken);
            }
            IReadOnlyList<string> applied;
            try
            {
                applied = await db.GetAppliedMigrationsAsync(cancellationToken);
            }
            catch (PipelineDatabaseException e) when (e.InnerException is Npgsql.PostgresException { SqlState: "3D000" })
            {
                throw NoPostgreSqlDatabase(db, e);
            }
            if (applied.Count == 0 && DatabaseLabel.PostgreSqlConnectionString(db) is { } postgres)
            {
                // Reading the history may report no migrations for a database that does not exist at all; say which it is.
                await RefuseMissingPostgreSqlAsync(db, postgres, cancellationToken);
            }
            var known = db.GetKnownMigrations();
            var missing = known.Except(applied, StringComparer.Ordinal).Count();
            if (missing > 0)
            {
                var state = applied.Count == 0
                    ? "has no pipeline schema"
                    : $"has an older pipeline schema (version {applied.Count}; this {CommandName.Text} needs {known.Count})";
                throw new CliException(
                    $"{DatabaseLabel.Describe(db)} {state}; run {CommandName.Text} migrate first. This command does not change the schema.",
                    ExitCodes.Failure);
            }
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the target after checking that migrating it would not write into someone else's database.</summary>
    /// <inheritdoc cref="OpenAsync" path="/exception"/>
    public static async Task<PipelineDb> OpenUnmigratedAsync(string target, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var db = Open(target, time);
        try
        {
            if (DatabaseLabel.SqlitePath(db) is { } path)
            {
                await RefuseForeignSqliteAsync(db, path, cancellationToken);
            }
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static async Task RefuseMissingPostgreSqlAsync(PipelineDb db, string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == "3D000")
        {
            throw NoPostgreSqlDatabase(db, e);
        }
        catch (NpgsqlException e)
        {
            // The store read the history a moment ago; whatever fails now, it says in its own words.
            await db.GetAppliedMigrationsAsync(cancellationToken);
            throw new PipelineDatabaseException($"PostgreSQL: {e.Message}", e, e.IsTransient);
        }
    }

    private static CliException NoPostgreSqlDatabase(PipelineDb db, Exception e) => new(
        $"no database at {DatabaseLabel.Describe(db)}; create it with {CommandName.Text} migrate (or {CommandName.Text} demo), or check --db.",
        ExitCodes.NotFound, e);

    private static PipelineDb Open(string target, TimeProvider? time)
    {
        try
        {
            var options = new PipelineDbOptions().UseTarget(target);
            if (time is not null)
            {
                options.TimeProvider = time;
            }
            var db = PipelineDb.Open(options);
            DatabaseLabel.Remember(db, options);
            return db;
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            // The library's message names its own parameter; the user only knows the option. The
            // target itself is not echoed: it may hold a password (and the error reporter hides any left).
            throw new ArgumentException($"--db is not a usable database target: {e.Message}", e);
        }
    }

    /// <summary>
    /// A new or empty file becomes a pipeline database. An existing SQLite database with tables of
    /// its own and no pipeline migration history is someone else's: migrating would add nine tables
    /// to it, so the CLI refuses. A file that is not SQLite fails here with the library's own error.
    /// </summary>
    private static async Task RefuseForeignSqliteAsync(PipelineDb db, string path, CancellationToken cancellationToken)
    {
        if (path.Length == 0 || path == ":memory:" || !File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return;
        }
        var readOnly = new SqliteConnectionStringBuilder(DatabaseLabel.ConnectionString(db)) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        List<string> tables = [];
        var known = false;
        try
        {
            await using var connection = new SqliteConnection(readOnly.ToString());
            await connection.OpenAsync(cancellationToken);
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    tables.Add(reader.GetString(0));
                }
            }
            if (tables.Count == 0 || tables.Contains("feature_runs"))
            {
                return;
            }
            if (tables.Contains(HistoryTable))
            {
                // Another EF Core application also has a history table: only our own migrations count.
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT \"MigrationId\" FROM \"{HistoryTable}\"";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var ours = db.GetKnownMigrations().ToHashSet(StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken))
                {
                    known |= ours.Contains(reader.GetString(0));
                }
            }
        }
        catch (SqliteException e)
        {
            // The store fails on the same file in its own words (not a database, cannot be opened, busy).
            await db.GetAppliedMigrationsAsync(cancellationToken);
            throw new PipelineDatabaseException($"SQLite: {e.Message}", e, isTransient: false);
        }
        if (!known)
        {
            var listed = string.Join(", ", tables.Take(3)) + (tables.Count > 3 ? ", …" : "");
            throw new CliException(
                $"{path} is a SQLite database of something else (tables: {listed}), not a pipeline database; "
                + "refusing to add the pipeline's tables to it. Give --db a new file or an existing pipeline database.",
                ExitCodes.Failure);
        }
    }
}
