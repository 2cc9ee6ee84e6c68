using System.Net;
using System.Net.Sockets;
using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// What a wrong <c>--db</c> looks like on SQLite, which is by nature provider-specific: a file that
/// is not a database, someone else's database, a folder that does not exist, and the default file.
/// </summary>
public sealed class SqliteTargetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_file_that_is_not_sqlite_exits_1_with_one_line_and_is_left_alone()
    {
        var path = Path.Combine(_folder.Path, "notes.txt");
        await File.WriteAllTextAsync(path, new string('x', 4096));

        var result = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", path);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: SQLite: the file is not a usable pipeline database", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.Equal(new string('x', 4096), await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_sqlite_database_of_something_else_is_refused_and_not_migrated()
    {
        var path = Path.Combine(_folder.Path, "shop.db");
        Execute(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada');");

        var result = await AgentPipe.RunAsync(_folder.Path, "demo", "--db", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {path} is a SQLite database of something else (tables: customers), not a pipeline database; "
            + "refusing to add the pipeline's tables to it. Give --db a new file or an existing pipeline database.\n", result.Stderr);
        Assert.Equal(["customers"], Tables(path));
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("show", "abcd")]
    [InlineData("memories", "abcd")]
    [InlineData("cta", "list")]
    [InlineData("cta", "show", "abcd")]
    [InlineData("stats")]
    public async Task A_reading_command_on_a_file_that_does_not_exist_exits_2_and_creates_nothing(params string[] command)
    {
        var path = Path.Combine(_folder.Path, "typo.db");

        var result = await AgentPipe.RunAsync(_folder.Path, [.. command, "--db", "typo.db"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: no database at {path}; create one with agentpipe migrate (or agentpipe demo), or check --db.\n", result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_is_unreachable_and_exits_4()
    {
        var result = await AgentPipe.RunAsync(_folder.Path, "migrate", "--db", Path.Combine(_folder.Path, "missing", "pipeline.db"));

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: database unreachable or refused: SQLite: the database file cannot be opened", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_db_or_AGENTPIPE_DB_the_database_is_pipeline_db_in_the_current_folder()
    {
        var result = await AgentPipe.RunAsync(_folder.Path, "migrate");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Database: SQLite file {Path.Combine(_folder.Path, "pipeline.db")}", result.StdoutLines);
        Assert.Contains("feature_runs", Tables(Path.Combine(_folder.Path, "pipeline.db")));
    }

    public void Dispose() => _folder.Dispose();

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<string> Tables(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }
        return tables;
    }
}

/// <summary>An unreachable PostgreSQL server, by nature provider-specific.</summary>
public sealed class PostgreSqlTargetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData("Host=127.0.0.1;Port={0};Username=app;Password=s3cret-pw;Database=pipeline;Timeout=5")]
    [InlineData("postgresql://app:s3cret-pw@127.0.0.1:{0}/pipeline")]
    public async Task An_unreachable_server_exits_4_with_one_line_that_does_not_repeat_the_password(string target)
    {
        // A port bound here and never listened on: connecting is refused, and nothing else can take it meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;

        var result = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", string.Format(System.Globalization.CultureInfo.InvariantCulture, target, port));

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: database unreachable or refused: PostgreSQL is unreachable", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("s3cret-pw", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reading_command_on_a_database_that_does_not_exist_exits_2_and_creates_nothing()
    {
        var name = "t_missing_" + Guid.NewGuid().ToString("N");
        var target = PostgresCluster.Shared.ConnectionStringFor(name);

        var result = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches($"^error: no database at PostgreSQL \\S+@127\\.0\\.0\\.1:\\d+/{name} \\(schema agent\\); create it with agentpipe migrate", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        await using var connection = new Npgsql.NpgsqlConnection(PostgresCluster.Shared.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }

    public void Dispose() => _folder.Dispose();
}
