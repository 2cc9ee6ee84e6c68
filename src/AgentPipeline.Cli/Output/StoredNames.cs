using System.Collections.Frozen;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// The strings data-model.md stores for each of the library's enums (<c>meta_judge</c>, <c>tool-calls</c>),
/// which the CLI prints and accepts. The library keeps its own table internal; these are the spec's
/// values, and the read tests hold the CLI's output against what is stored.
/// </summary>
internal static class StoredNames
{
    private static readonly FrozenDictionary<Type, string[]> Tables = new Dictionary<Type, string[]>
    {
        [typeof(SandboxStatus)] = ["pending", "running", "stopping", "stopped", "failed", "aborted", "snapshotting"],
        [typeof(SandboxSourceType)] = ["git", "tarball", "snapshot", "empty"],
        [typeof(SnapshotStatus)] = ["created", "deleted", "failed"],
        [typeof(FeaturePhase)] = ["analysis", "approaches", "judging", "implementation", "pr", "completed", "failed"],
        [typeof(PhaseStatus)] = ["running", "passed", "failed"],
        [typeof(AgentType)] = ["orchestrator", "explorer", "coder", "judge", "meta_judge"],
        [typeof(FinishReason)] = ["stop", "length", "content-filter", "tool-calls", "error", "other"],
        [typeof(ToolOutputType)] = ["text", "json", "execution-denied", "error-text", "error-json", "content"],
        [typeof(MemoryKind)] = ["insight", "failure", "decision", "constraint"],
        [typeof(CtaKind)] = ["approval", "text", "choice"],
        [typeof(RunStatus)] = ["running", "waiting", "completed", "failed"],
        [typeof(CtaEventState)] = ["open", "resolved", "all"],
    }.ToFrozenDictionary();

    /// <summary>Whether <paramref name="type"/> is an enum with stored names.</summary>
    public static bool Has(Type type) => Tables.ContainsKey(type);

    /// <summary>Every stored name of <typeparamref name="T"/>, in the enum's order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Tables[typeof(T)];

    public static string Of<T>(T value) where T : struct, Enum => Of(typeof(T), Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));

    public static string Of(Type type, int value) =>
        Tables[type] is var names && value >= 0 && value < names.Length
            ? names[value]
            : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The value stored as <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No value of <typeparamref name="T"/> is stored so.</exception>
    public static T Parse<T>(string name) where T : struct, Enum
    {
        var i = Array.IndexOf(Tables[typeof(T)], name);
        return i >= 0 ? (T)Enum.ToObject(typeof(T), i) : throw new ArgumentException($"'{name}' is not a {typeof(T).Name} name.", nameof(name));
    }
}
