using System.Data.Common;
using AgentPipeline.Persistence.Tests.Contract;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>Migrations on a SQLite path: reading them creates no file.</summary>
public sealed class SqliteMigrationFileTests(SqliteFixture f) : ContractTests<SqliteFixture>(f)
{
    [Fact]
    public async Task Reading_the_migrations_of_a_path_with_no_file_creates_no_file()
    {
        var path = await Fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(path);

        Assert.Empty(await db.GetAppliedMigrationsAsync());
        Assert.False(File.Exists(path));
    }

}
