using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>A real SQLite file in a temp folder, deleted with the fixture.</summary>
public sealed class SqliteFixture : StoreFixture
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentpipe-sqlite-").FullName;

    public override PipelineProvider Provider => PipelineProvider.Sqlite;

    public override Task<string> CreateDatabaseAsync() =>
        Task.FromResult(Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db"));

    public override DbConnection OpenRawConnection(string? target = null)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target ?? Target, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
