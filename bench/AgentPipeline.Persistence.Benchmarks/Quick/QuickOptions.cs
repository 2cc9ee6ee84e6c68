using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Workloads;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// <c>--quick [--provider sqlite|postgresql] [--op Name|concurrent|realistic|migrate|reads|reads-small|reads-tree|reads-cta] [--plans] [--realistic] [--no-ef] [--rounds N]</c>;
/// <c>--pg-fsync-off</c> and <c>--pg-durable-per-call</c> are handled by the entry point for every mode.
/// </summary>
internal sealed record QuickOptions(PipelineProvider[] Providers, string[] Operations, int Rounds, bool Concurrent, bool Realistic, bool WithEf, bool Migrate = true,
    ReadsMode Reads = ReadsMode.None, bool ShowPlans = false)
{
    public static QuickOptions Parse(IReadOnlyList<string> args)
    {
        PipelineProvider[] providers = [PipelineProvider.Sqlite, PipelineProvider.PostgreSql];
        var operations = PerCallWorkload.Operations;
        var rounds = 9;
        var concurrent = true;
        var realistic = false;
        var withEf = true;
        var migrate = true;
        var reads = ReadsMode.None;
        var showPlans = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--provider":
                    providers = Value().ToLowerInvariant() switch
                    {
                        "sqlite" => [PipelineProvider.Sqlite],
                        "postgresql" or "postgres" or "pg" => [PipelineProvider.PostgreSql],
                        "both" => providers,
                        var other => throw new ArgumentException($"--provider is sqlite, postgresql or both, not '{other}'."),
                    };
                    break;
                case "--op":
                    var op = Value();
                    if (op.Equals("migrate", StringComparison.OrdinalIgnoreCase))
                    {
                        operations = [];
                        concurrent = false;
                        migrate = true;
                        break;
                    }
                    migrate = false;
                    if (op.Equals("reads", StringComparison.OrdinalIgnoreCase) || op.Equals("reads-small", StringComparison.OrdinalIgnoreCase)
                        || op.Equals("reads-tree", StringComparison.OrdinalIgnoreCase) || op.Equals("reads-cta", StringComparison.OrdinalIgnoreCase))
                    {
                        operations = [];
                        concurrent = false;
                        reads = op.ToLowerInvariant() switch { "reads" => ReadsMode.Full, "reads-small" => ReadsMode.Small, "reads-cta" => ReadsMode.Cta, _ => ReadsMode.Tree };
                        break;
                    }
                    if (op.Equals("concurrent", StringComparison.OrdinalIgnoreCase) || op.Equals("realistic", StringComparison.OrdinalIgnoreCase))
                    {
                        operations = [];
                        concurrent = op.Equals("concurrent", StringComparison.OrdinalIgnoreCase);
                        realistic = !concurrent;
                        break;
                    }
                    operations = [PerCallWorkload.Operations.FirstOrDefault(o => o.Equals(op, StringComparison.OrdinalIgnoreCase))
                        ?? throw new ArgumentException($"--op is one of {string.Join(", ", PerCallWorkload.Operations)}, concurrent, realistic, migrate, reads, reads-small, reads-tree or reads-cta, not '{op}'.")];
                    concurrent = false;
                    break;
                case "--plans":
                    showPlans = true;
                    break;
                case "--no-ef":
                    withEf = false;
                    break;
                case "--realistic":
                    realistic = true;
                    break;
                case "--rounds":
                    rounds = int.Parse(Value(), CultureInfo.InvariantCulture);
                    if (rounds < 1)
                    {
                        throw new ArgumentException("--rounds must be at least 1.");
                    }
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}' for --quick (known: --provider, --op, --realistic, --no-ef, --rounds, --plans, --pg-fsync-off, --pg-durable-per-call).");
            }
        }
        return new QuickOptions(providers, operations, rounds, concurrent, realistic, withEf, migrate, reads, showPlans);
    }
}

/// <summary><c>--op reads</c>: 1,000 then 20,000 runs (about 2 million steps); <c>reads-small</c>: 100 then 2,000, for development.</summary>
internal enum ReadsMode
{
    None,
    Small,
    Full,

    /// <summary><c>reads-tree</c>: where the time of the 5,000-step run's tree goes (<see cref="Reads.TreeProfile"/>).</summary>
    Tree,

    /// <summary><c>reads-cta</c>: where the time of the open CTAs' listing goes at 1,000, 5,000 and 20,000 runs (<see cref="Reads.CtaProfile"/>).</summary>
    Cta,
}
