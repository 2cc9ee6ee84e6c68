using System.Collections.Concurrent;
using AgentPipeline.Persistence.Tests.Infrastructure;

namespace AgentPipeline.Cli.Tests.Support;

/// <summary>
/// One database per test class, filled once by <c>agentpipe demo --runs 4 --seed 11</c> through the
/// CLI process. The tests that use it only read, so the output of each read command is also
/// produced once (<see cref="CachedAsync"/>) and shared.
/// </summary>
public class DemoFixture<TStore> : IAsyncLifetime
    where TStore : StoreFixture, new()
{
    public const int Runs = 4;
    public const int Seed = 11;

    private readonly ConcurrentDictionary<string, Lazy<Task<CliResult>>> _cache = new();
    private readonly TempFolder _folder = new();

    public TStore Store { get; } = new();

    public DbFacts Facts { get; private set; } = null!;

    /// <summary>What <c>demo</c> printed.</summary>
    public CliResult Demo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Store.InitializeAsync();
        Demo = await RunAsync("demo", "--runs", Runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Demo.ExitCode != 0)
        {
            throw new InvalidOperationException("The demo failed:\n" + Demo);
        }
        Facts = await DbFacts.ReadAsync(Store);
    }

    /// <summary>Runs the CLI against this database (<c>--db</c> appended).</summary>
    public Task<CliResult> RunAsync(params string[] args) => AgentPipe.RunAsync(_folder.Path, [.. args, "--db", Store.Target]);

    /// <summary>Like <see cref="RunAsync"/>, with variables set in the process's environment.</summary>
    public Task<CliResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        AgentPipe.RunAsync(_folder.Path, environment, [.. args, "--db", Store.Target]);

    /// <summary>Like <see cref="RunAsync(string[])"/>, once per distinct argument list: for commands that only read.</summary>
    public Task<CliResult> CachedAsync(params string[] args) =>
        _cache.GetOrAdd(string.Join('\u0001', args), _ => new Lazy<Task<CliResult>>(() => RunAsync(args))).Value;

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        _folder.Dispose();
    }
}
