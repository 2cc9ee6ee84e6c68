using System.Text.Json.Nodes;
using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// The reading commands start fast because they read in plain SQL: building EF Core's model and
/// compiling LINQ queries was most of a command's start-up time (docs/performance.md, "CLI
/// start-up"). Proven structurally, not by timing: a copy of the CLI without EF Core's database
/// providers (no DbContext can be configured, no model built, no query compiled) gives the same
/// output as the whole CLI for every reading command; <c>migrate</c>, which needs EF Core's
/// migrator, fails in that copy. (EF Core's own assemblies stay: the known migrations are read
/// from the attributes of the migration classes, which derive from EF Core's types.)
/// </summary>
public abstract class ReadPathTests<TStore>(DemoFixture<TStore> fixture) : IClassFixture<DemoFixture<TStore>>, IDisposable
    where TStore : StoreFixture, new()
{
    /// <summary>One copy for the whole test run (48 MB: the test folder holds the CLI and the tests).</summary>
    private static readonly Lazy<string> Copy = new(CopyWithoutEfProviders);

    private readonly TempFolder _work = new();

    public static TheoryData<string> Commands => ["runs", "show", "cta list", "cta show", "memories", "stats", "runs --json", "show --json", "show --content"];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_reading_command_prints_the_same_without_EF_Core_providers(string command)
    {
        var args = Arguments(command);
        var whole = await fixture.CachedAsync(args);
        Assert.True(whole.ExitCode == 0, whole.ToString());

        var withoutEf = await AgentPipe.RunDllAsync(Copy.Value, _work.Path, new Dictionary<string, string?>(), [.. args, "--db", fixture.Store.Target]);

        Assert.True(withoutEf.ExitCode == 0, withoutEf.ToString());
        Assert.Equal(whole.Stdout, withoutEf.Stdout);
    }

    [Fact]
    public async Task The_copy_really_lacks_them_migrate_fails_in_it()
    {
        // A new database: an up-to-date one needs only the history read, which works without them too.
        var migrate = await AgentPipe.RunDllAsync(Copy.Value, _work.Path, new Dictionary<string, string?>(), "migrate", "--db", Path.Combine(_work.Path, "new.db"));

        Assert.NotEqual(0, migrate.ExitCode);
        Assert.Contains("EntityFrameworkCore", migrate.Stdout + migrate.Stderr, StringComparison.Ordinal);
    }

    private string[] Arguments(string command)
    {
        var run = DbFacts.ShortId(fixture.Facts.Waiting.Id);
        var cta = DbFacts.ShortId(fixture.Facts.Ctas.First(c => c.RunId == fixture.Facts.Waiting.Id).Id);
        return command switch
        {
            "show" => ["show", run],
            "show --json" => ["show", run, "--json"],
            "show --content" => ["show", run, "--content"],
            "memories" => ["memories", run],
            "cta show" => ["cta", "show", cta],
            _ => command.Split(' '),
        };
    }

    /// <summary>
    /// The built CLI copied without EF Core's providers (Microsoft.EntityFrameworkCore.Sqlite,
    /// Npgsql.EntityFrameworkCore.PostgreSQL), and without them in its dependency manifest, so the
    /// runtime cannot find them if anything asks.
    /// </summary>
    private static string CopyWithoutEfProviders()
    {
        var copy = new TempFolder();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => copy.Dispose();
        var source = AppContext.BaseDirectory;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (IsEfProvider(name))
            {
                continue;
            }
            var target = Path.Combine(copy.Path, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
        var manifestPath = Path.Combine(copy.Path, "agentpipe.deps.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        foreach (var target in manifest["targets"]!.AsObject())
        {
            var libraries = target.Value!.AsObject();
            foreach (var name in libraries.Select(l => l.Key).Where(IsEfProvider).ToList())
            {
                libraries.Remove(name);
            }
            foreach (var library in libraries)
            {
                if (library.Value?["dependencies"] is JsonObject dependencies)
                {
                    foreach (var name in dependencies.Select(d => d.Key).Where(IsEfProvider).ToList())
                    {
                        dependencies.Remove(name);
                    }
                }
            }
        }
        var all = manifest["libraries"]!.AsObject();
        foreach (var name in all.Select(l => l.Key).Where(IsEfProvider).ToList())
        {
            all.Remove(name);
        }
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        Assert.False(File.Exists(Path.Combine(copy.Path, "Microsoft.EntityFrameworkCore.Sqlite.dll")));
        return Path.Combine(copy.Path, "agentpipe.dll");
    }

    private static bool IsEfProvider(string name) =>
        name.StartsWith("Microsoft.EntityFrameworkCore.Sqlite", StringComparison.Ordinal)
        || name.StartsWith("Npgsql.EntityFrameworkCore", StringComparison.Ordinal);

    public void Dispose()
    {
        _work.Dispose();
    }
}

public sealed class SqliteReadPathTests(DemoFixture<SqliteFixture> fixture) : ReadPathTests<SqliteFixture>(fixture);

public sealed class PostgreSqlReadPathTests(DemoFixture<PostgreSqlFixture> fixture) : ReadPathTests<PostgreSqlFixture>(fixture);
