using System.Globalization;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>
/// <c>--op storage [--quick] [--provider sqlite|postgresql|both] [--steps 25,50,…] [--shape openai|anthropic] [--no-run] [--seed N]</c>.
/// </summary>
internal sealed record StorageOptions(PipelineProvider[] Providers, int[] Steps, bool Quick, bool WholeRun, string Shape, int Seed)
{
    public static readonly int[] FullSteps = [25, 50, 100, 200, 400];
    public static readonly int[] QuickSteps = [25, 50, 100];
    public const int DefaultSeed = 20261207;

    public ILoopShape NewShape() => Shape == "anthropic" ? new AnthropicMessagesShape() : new OpenAiChatShape();

    public static StorageOptions Parse(IReadOnlyList<string> args)
    {
        PipelineProvider[] providers = [PipelineProvider.Sqlite, PipelineProvider.PostgreSql];
        int[]? steps = null;
        var quick = false;
        var wholeRun = true;
        var shape = "openai";
        var seed = DefaultSeed;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--op":
                    if (!Value().Equals("storage", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ArgumentException("--op storage takes no other --op.");
                    }
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--provider":
                    providers = Value().ToLowerInvariant() switch
                    {
                        "sqlite" => [PipelineProvider.Sqlite],
                        "postgresql" or "postgres" or "pg" => [PipelineProvider.PostgreSql],
                        "both" => providers,
                        var other => throw new ArgumentException($"--provider is sqlite, postgresql or both, not '{other}'."),
                    };
                    break;
                case "--steps":
                    var text = Value();
                    steps = [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 5000
                            ? n
                            : throw new ArgumentException($"--steps is a comma-separated list of step counts from 1 to 5000, not '{text}'."))];
                    if (steps.Length == 0)
                    {
                        throw new ArgumentException("--steps needs at least one step count.");
                    }
                    break;
                case "--shape":
                    shape = Value().ToLowerInvariant() switch
                    {
                        "openai" => "openai",
                        "anthropic" => "anthropic",
                        var other => throw new ArgumentException($"--shape is openai or anthropic, not '{other}'."),
                    };
                    break;
                case "--no-run":
                    wholeRun = false;
                    break;
                case "--seed":
                    var seedText = Value();
                    seed = int.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
                        : throw new ArgumentException($"--seed is a whole number, not '{seedText}'.");
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}' for --op storage (known: --quick, --provider, --steps, --shape, --no-run, --seed, --pg-fsync-off).");
            }
        }
        return new StorageOptions(providers, steps ?? (quick ? QuickSteps : FullSteps), quick, wholeRun, shape, seed);
    }
}
