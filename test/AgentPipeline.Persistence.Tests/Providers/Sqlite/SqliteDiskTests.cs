using System.Diagnostics;
using AgentPipeline.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using static AgentPipeline.Persistence.PipelinePersistence;

namespace AgentPipeline.Persistence.Tests.Providers.Sqlite;

/// <summary>
/// The disk fills up, or the file system turns read-only, under a SQLite database: calls fail
/// with a typed exception, nothing is corrupted, and once space (or write access) returns the
/// same handle works again. A real small tmpfs is mounted for it (the tests run as root on CI).
/// </summary>
public sealed class SqliteDiskTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("agentpipe-disk-").FullName;

    public Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root", "mounting a small tmpfs for the disk tests needs root (CI runs as root)");
        Mount($"-t tmpfs -o size=2m tmpfs {_mount}");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Mount($"-l {_mount}", command: "umount");
        Directory.Delete(_mount, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_full_disk_gives_a_typed_error_corrupts_nothing_and_writing_resumes_when_space_returns()
    {
        var path = Path.Combine(_mount, "pipeline.db");
        await using var db = PipelineDb.Open(path);
        await db.MigrateAsync();
        var (run, phase) = await Seed.PhaseAsync(db);
        var written = new List<Guid>();

        var full = await Assert.ThrowsAsync<PipelineDatabaseException>(async () =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                var id = Guid.NewGuid();
                await CreateMemoryRecordAsync(db, new NewMemoryRecord { Id = id, PhaseResultId = phase, Kind = MemoryKind.Insight, Content = new string('x', 4000) + i });
                written.Add(id);
            }
        });

        Assert.Contains("disk is full", full.Message, StringComparison.Ordinal);
        Assert.Equal(13, ((SqliteException)full.InnerException!).SqliteErrorCode & 0xFF);
        Assert.NotEmpty(written);
        Mount($"-o remount,size=64m {_mount}");
        var after = await CreateMemoryRecordAsync(db, new NewMemoryRecord { PhaseResultId = phase, Kind = MemoryKind.Decision, Content = "space is back" });
        var records = await GetMemoryRecordsAsync(db, run);
        Assert.Equal([.. written, after], records.Select(r => r.Id));
        Assert.Equal("ok", await IntegrityAsync(path));
    }

    [Fact]
    public async Task A_read_only_file_system_gives_a_typed_error_and_writing_resumes_when_it_is_writable_again()
    {
        var path = Path.Combine(_mount, "readonly.db");
        await using var db = PipelineDb.Open(path);
        await db.MigrateAsync();
        var run = await Seed.RunAsync(db);
        await db.DisposeAsync();
        Mount($"-o remount,ro {_mount}");

        await using var readOnly = PipelineDb.Open(path);
        var e = await Assert.ThrowsAsync<PipelineDatabaseException>(() => UpdateFeatureRunPhaseAsync(readOnly, run, FeaturePhase.Judging));

        Assert.False(e.IsTransient);
        Assert.IsType<SqliteException>(e.InnerException);
        Mount($"-o remount,rw {_mount}");
        // The same long-lived handle writes again: no restart of the application needed.
        await UpdateFeatureRunPhaseAsync(readOnly, run, FeaturePhase.Judging);
        await CompleteFeatureRunAsync(readOnly, run);
        Assert.Equal("ok", await IntegrityAsync(path));
    }

    private static async Task<string> IntegrityAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static void Mount(string arguments, string command = "mount")
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {arguments}: {error}");
    }
}
