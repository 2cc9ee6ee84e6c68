using System.Data.Common;
using Npgsql;

namespace AgentPipeline.Persistence.Tests.Infrastructure;

/// <summary>A fresh database on the shared throwaway cluster (<see cref="PostgresCluster"/>).</summary>
public sealed class PostgreSqlFixture : StoreFixture
{
    public override PipelineProvider Provider => PipelineProvider.PostgreSql;

    public override Task<string> CreateDatabaseAsync() => PostgresCluster.Shared.CreateDatabaseAsync();

    public override DbConnection OpenRawConnection(string? target = null)
    {
        var connection = new NpgsqlConnection(target ?? Target);
        connection.Open();
        return connection;
    }
}
