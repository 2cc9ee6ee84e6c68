using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Npgsql;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// A password, in a <c>Password=</c> connection string or a <c>postgresql://user:secret@</c> URI, is
/// never printed: not by any command's <c>--help</c> (the default comes from <c>$AGENTPIPE_DB</c>)
/// and not by any error. Logins the server refuses and peers that are not PostgreSQL exit 4.
/// </summary>
public sealed class SecretTests : IDisposable
{
    private const string Secret = "s3cret-pw";

    private readonly TempFolder _folder = new();

    public static TheoryData<string, string> EveryHelp() => new()
    {
        // Every command with the key-value form in $AGENTPIPE_DB, and a few with the URI form.
        { "--help", "kv" }, { "--help", "uri" },
        { "demo --help", "kv" }, { "runs --help", "kv" }, { "runs --help", "uri" }, { "show --help", "kv" },
        { "memories --help", "uri" }, { "cta --help", "kv" }, { "cta list --help", "kv" }, { "cta show --help", "uri" },
        { "cta answer --help", "kv" }, { "cta timeout --help", "uri" }, { "stats --help", "kv" }, { "migrate --help", "uri" },
    };

    [Theory]
    [MemberData(nameof(EveryHelp))]
    public async Task Help_says_where_the_default_comes_from_and_never_shows_the_password(string command, string form)
    {
        var environment = new Dictionary<string, string?> { ["AGENTPIPE_DB"] = Target(form, 5432) };

        var result = await AgentPipe.RunAsync(_folder.Path, environment, command.Split(' '));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Default: $AGENTPIPE_DB, else ./pipeline.db.", result.FlatStdout, StringComparison.Ordinal);
        Assert.Contains("--local", result.Stdout, StringComparison.Ordinal);
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=5432;Username=app;Password=s3cret-pw;Bogus=1")]
    [InlineData("postgresql://app:s3cret-pw@127.0.0.1:notaport/pipeline")]
    public async Task A_malformed_target_exits_1_with_one_line_and_no_password(string target)
    {
        var result = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", target);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: --db is not a usable database target", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("kv")]
    [InlineData("uri")]
    public async Task An_unknown_command_prints_one_error_and_no_password(string form)
    {
        var result = await AgentPipe.RunAsync(_folder.Path, "frobnicate", Target(form, 5432), "--db", Target(form, 5432));

        Assert.Equal(1, result.ExitCode);
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal("error: Unrecognized command or argument 'frobnicate'.", Assert.Single(errors));
        Assert.EndsWith("Run 'agentpipe --help' for usage.\n", result.Stderr, StringComparison.Ordinal);
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("kv")]
    [InlineData("uri")]
    public async Task A_peer_that_is_not_postgresql_exits_4_with_one_line_and_no_password(string form)
    {
        // A loopback listener that answers like a web server: the client's first bytes get "HTTP/1.1 400".
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var serving = ServeHttpAsync(listener, stop.Token);

        var result = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", Target(form, port));
        await stop.CancelAsync();
        await serving;

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: database unreachable or refused: ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("kv")]
    [InlineData("uri")]
    public async Task A_wrong_password_exits_4_with_one_line_and_no_password(string form)
    {
        var (port, database) = await PasswordRole.EnsureAsync();
        var target = form == "kv"
            ? $"Host=127.0.0.1;Port={port};Username={PasswordRole.Name};Password={Secret};Database={database}"
            : $"postgresql://{PasswordRole.Name}:{Secret}@127.0.0.1:{port}/{database}";

        var result = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", target);

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("error: database unreachable or refused: PostgreSQL error 28P01", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        AssertNoSecret(result);
    }

    public void Dispose() => _folder.Dispose();

    private static string Target(string form, int port) => form == "kv"
        ? $"Host=127.0.0.1;Port={port};Username=app;Password={Secret};Database=pipeline;Timeout=5"
        : $"postgresql://app:{Secret}@127.0.0.1:{port}/pipeline";

    private static void AssertNoSecret(CliResult result)
    {
        Assert.DoesNotContain(Secret, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Stderr, StringComparison.Ordinal);
    }

    private static async Task ServeHttpAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var stream = client.GetStream();
                var buffer = new byte[1024];
                _ = await stream.ReadAsync(buffer, cancellationToken);
                await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>
/// A login role of the shared test cluster that must give its password: the cluster trusts every
/// local login, so a wrong password needs a <c>scram-sha-256</c> line of its own, placed first in
/// pg_hba.conf (it matches only this role; every other login is still trusted).
/// </summary>
internal static class PasswordRole
{
    public const string Name = "agentpipe_password_check";

    private static readonly Lazy<Task<(int Port, string Database)>> Setup = new(SetUpAsync);

    public static Task<(int Port, string Database)> EnsureAsync() => Setup.Value;

    private static async Task<(int Port, string Database)> SetUpAsync()
    {
        var admin = PostgresCluster.Shared.AdminConnectionString;
        var database = new NpgsqlConnectionStringBuilder(await PostgresCluster.Shared.CreateDatabaseAsync()).Database!;
        string hbaFile;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand(
                $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Name}') THEN CREATE ROLE {Name} LOGIN PASSWORD 'the-right-one'; END IF; END $$", connection))
            {
                await create.ExecuteNonQueryAsync();
            }
            await using var show = new NpgsqlCommand("SHOW hba_file", connection);
            hbaFile = (string)(await show.ExecuteScalarAsync())!;
            var line = $"host all {Name} 127.0.0.1/32 scram-sha-256";
            var lines = await File.ReadAllLinesAsync(hbaFile);
            if (!lines.Contains(line))
            {
                await File.WriteAllLinesAsync(hbaFile, [line, .. lines]);
            }
            await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection);
            await reload.ExecuteScalarAsync();
        }
        var port = new NpgsqlConnectionStringBuilder(admin).Port;
        // The server rereads pg_hba.conf when it handles the reload signal: wait for a wrong
        // password to be refused (a condition, polled a bounded number of times), not for a time.
        var wrong = $"Host=127.0.0.1;Port={port};Username={Name};Password=wrong;Database={database};Pooling=false";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var probe = new NpgsqlConnection(wrong);
                await probe.OpenAsync();
            }
            catch (PostgresException e) when (e.SqlState == "28P01")
            {
                return (port, database);
            }
            if (attempt == 200)
            {
                throw new InvalidOperationException($"The cluster still accepts any password for {Name} after reloading {hbaFile}.");
            }
            await Task.Delay(50);
        }
    }
}
