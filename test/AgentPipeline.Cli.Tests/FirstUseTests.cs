using System.Globalization;
using AgentPipeline.Cli.Tests.Support;
using AgentPipeline.Persistence;
using AgentPipeline.Persistence.Tests.Infrastructure;
using static AgentPipeline.Persistence.Tests.Infrastructure.StoreFixture;

namespace AgentPipeline.Cli.Tests;

/// <summary>
/// A database the CLI has never seen: <c>migrate</c> creates the schema and says so, any other
/// command migrates on first use, and a newcomer can run the demo and answer the CTA it leaves open
/// with the very command it prints.
/// </summary>
public abstract class FirstUseTests<TStore>(TStore fixture) : IClassFixture<TStore>, IDisposable
    where TStore : StoreFixture
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Migrate_creates_the_schema_prints_its_version_and_then_finds_it_up_to_date()
    {
        var target = await fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target);
        var known = db.GetKnownMigrations();
        var latest = known[^1];

        var first = await AgentPipe.RunAsync(_folder.Path, "migrate", "--db", target);
        var second = await AgentPipe.RunAsync(_folder.Path, "migrate", "--db", target);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.All(known, m => Assert.Contains($"Applied {m}", first.StdoutLines));
        Assert.Contains($"Schema version {known.Count}: {latest}", first.StdoutLines);
        Assert.Equal(known, await db.GetAppliedMigrationsAsync());
        Assert.Equal(0, await CountAsync(target, "feature_runs"));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Already up to date.", second.StdoutLines);
        Assert.Contains($"Schema version {known.Count}: {latest}", second.StdoutLines);
    }

    [Fact]
    public async Task Reading_commands_on_a_database_without_the_schema_exit_1_naming_migrate_and_create_nothing()
    {
        var target = await fixture.CreateDatabaseAsync();
        if (fixture.Provider == PipelineProvider.Sqlite)
        {
            await File.WriteAllBytesAsync(target, []); // an existing, empty file: there is a database, without the schema
        }

        var runs = await AgentPipe.RunAsync(_folder.Path, "runs", "--db", target);
        var stats = await AgentPipe.RunAsync(_folder.Path, "stats", "--db", target);

        foreach (var result in new[] { runs, stats })
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
            Assert.Matches("^error: (SQLite file|PostgreSQL) .+ has no pipeline schema; run agentpipe migrate first\\.", line);
            Assert.DoesNotContain("Password", line, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(result.Stdout);
        }
        await using var db = PipelineDb.Open(target);
        Assert.Empty(await db.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task Reading_commands_on_an_older_schema_exit_1_naming_migrate_and_do_not_migrate_it()
    {
        var target = await fixture.CreateDatabaseAsync();
        await using var db = PipelineDb.Open(target);
        await db.MigrateAsync();
        var known = db.GetKnownMigrations();
        await ExecuteAsync(target, $"DELETE FROM {HistoryTable} WHERE \"MigrationId\" = '{known[^1]}'");

        var result = await AgentPipe.RunAsync(_folder.Path, "cta", "list", "--db", target);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("run agentpipe migrate first", Assert.Single(result.Stderr.TrimEnd().Split('\n')), StringComparison.Ordinal);
        Assert.Equal(known.SkipLast(1), await db.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task A_newcomer_runs_the_demo_shows_the_run_and_answers_its_cta_with_the_printed_commands()
    {
        // AGENTPIPE_DB stands in for --db, as a shell that exported it would.
        var target = await fixture.CreateDatabaseAsync();
        var environment = new Dictionary<string, string?> { ["AGENTPIPE_DB"] = target };

        var demo = await AgentPipe.RunAsync(_folder.Path, environment, "demo");

        Assert.True(demo.ExitCode == 0, demo.ToString());
        // The default demo goes through all 19 functions: a completed run (its approval and choice
        // answered), a failed run (a timed-out CTA, a failed phase) and a run waiting on an approval.
        var phases = (await QueryAsync(target, "SELECT current_phase FROM {feature_runs}")).Select(r => (string)r["current_phase"]!).Order().ToList();
        Assert.Equal(["completed", "failed", "pr"], phases);
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {cta_events} WHERE timed_out = TRUE"));
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {cta_events} WHERE kind = 'choice' AND response_selected_id IS NOT NULL"));
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {cta_events} WHERE kind = 'approval' AND response_approved IS NOT NULL"));
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {phase_results} WHERE status = 'failed'"));
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {sandbox_snapshots}"));
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {sandboxes} WHERE status = 'stopped' AND duration IS NOT NULL"));
        Assert.NotEmpty(await QueryAsync(target, "SELECT id FROM {memory_records}"));
        var show = Printed(demo, "agentpipe show ");
        var answer = Printed(demo, "agentpipe cta answer ");
        var shown = await AgentPipe.RunAsync(_folder.Path, environment, show);
        var answered = await AgentPipe.RunAsync(_folder.Path, environment, answer);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("open since", shown.Stdout, StringComparison.Ordinal);
        Assert.True(answered.ExitCode == 0, answered.ToString());
        var ctas = await QueryAsync(target, "SELECT id, response_approved, response_reason, responded_at FROM {cta_events} WHERE kind = 'approval'");
        var cta = Assert.Single(ctas, c => DbFacts.ShortId(AsGuid(c["id"])!.Value) == answer[2]);
        Assert.Equal((true, "Looks good"), (AsBool(cta["response_approved"]), cta["response_reason"]));
        Assert.Empty(await QueryAsync(target, "SELECT id FROM {cta_events} WHERE responded_at IS NULL"));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>The arguments of the command the output suggests, found by how it starts (quotes respected).</summary>
    private static string[] Printed(CliResult result, string start)
    {
        var line = Assert.Single(result.StdoutLines, l => l.TrimStart().StartsWith(start, StringComparison.Ordinal)).Trim();
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0)
                {
                    args.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }
        args.Add(current.ToString());
        Assert.Equal("agentpipe", args[0]);
        return [.. args.Skip(1)];
    }

    private string HistoryTable => fixture.Provider == PipelineProvider.Sqlite ? "\"__EFMigrationsHistory\"" : "agent.\"__EFMigrationsHistory\"";

    private async Task ExecuteAsync(string target, string sql)
    {
        await using var connection = fixture.OpenRawConnection(target);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string target, string table) =>
        Convert.ToInt64((await QueryAsync(target, $"SELECT COUNT(*) AS n FROM {{{table}}}"))[0]["n"], CultureInfo.InvariantCulture);

    /// <summary>Raw SQL on a database other than the fixture's own; <c>{table}</c> is qualified as the provider needs.</summary>
    private async Task<List<Dictionary<string, object?>>> QueryAsync(string target, string sql)
    {
        var qualified = System.Text.RegularExpressions.Regex.Replace(sql, @"\{(\w+)\}", m => fixture.T(m.Groups[1].Value));
        await using var connection = fixture.OpenRawConnection(target);
        await using var command = connection.CreateCommand();
        command.CommandText = qualified;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        }
        return rows;
    }
}

public sealed class SqliteFirstUseTests(SqliteFixture fixture) : FirstUseTests<SqliteFixture>(fixture);

public sealed class PostgreSqlFirstUseTests(PostgreSqlFixture fixture) : FirstUseTests<PostgreSqlFixture>(fixture);
