using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Commands;

/// <summary>Opens what <c>--db</c> names, ready for use.</summary>
internal static class DatabaseTarget
{
    /// <summary>Opens the target and brings its schema up to date, creating a SQLite file when there is none.</summary>
    /// <exception cref="ArgumentException">The target is not a path, connection string or URI the library accepts.</exception>
    /// <exception cref="PipelineDatabaseException">The database cannot be reached or migrated.</exception>
    public static async Task<PipelineDb> OpenAsync(string target, CancellationToken cancellationToken)
    {
        PipelineDb db;
        try
        {
            db = PipelineDb.Open(target);
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            // The library's message names its own parameter; the user only knows the option. The
            // target itself is not echoed: it may hold a password.
            throw new ArgumentException($"--db is not a usable database target: {e.Message}", e);
        }
        try
        {
            await db.MigrateAsync(cancellationToken);
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }
}
