using System.Collections.Frozen;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// The one explicit mapping between each C# enum and the exact strings of data-model.md.
/// The same table feeds the writers, the readers, the EF value converters and the CHECK
/// constraints, so a value can never be stored under two spellings.
/// </summary>
internal static class DbEnum<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<string, T> ByName;

    /// <summary>Stored strings, indexed by the enum's underlying value.</summary>
    public static readonly string[] Names;

    /// <summary><see cref="Names"/> in UTF-8, for parsing SQLite's column bytes without a string.</summary>
    private static readonly byte[][] Utf8Names;

    private static readonly T[] ValuesByIndex;

    /// <summary>The spec's name of the enum type, for messages (e.g. <c>finish_reason</c>).</summary>
    public static readonly string TypeName;

    static DbEnum()
    {
        (TypeName, Names) = DbEnumTables.For(typeof(T));
        var values = Enum.GetValues<T>();
        if (values.Length != Names.Length)
        {
            throw new InvalidOperationException($"Enum {typeof(T).Name} and its stored names are out of step.");
        }
        Utf8Names = [.. Names.Select(System.Text.Encoding.UTF8.GetBytes)];
        ValuesByIndex = new T[Names.Length];
        foreach (var v in values)
        {
            ValuesByIndex[Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)] = v;
        }
        ByName = values.ToFrozenDictionary(v => Names[Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)], StringComparer.Ordinal);
    }

    public static bool IsDefined(T value)
    {
        var i = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        return i >= 0 && i < Names.Length;
    }

    public static string ToDb(T value)
    {
        var i = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        if (i < 0 || i >= Names.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a {TypeName} value.");
        }
        return Names[i];
    }

    public static T Parse(string stored) =>
        ByName.TryGetValue(stored, out var v)
            ? v
            : throw new InvalidDataException($"'{stored}' is not a stored {TypeName} value.");

    public static T Parse(ReadOnlySpan<byte> stored)
    {
        for (var i = 0; i < Utf8Names.Length; i++)
        {
            if (stored.SequenceEqual(Utf8Names[i]))
            {
                return ValuesByIndex[i];
            }
        }
        throw new InvalidDataException($"'{System.Text.Encoding.UTF8.GetString(stored)}' is not a stored {TypeName} value.");
    }

    /// <summary>SQL list for a CHECK constraint: <c>'a', 'b'</c>. The strings are constants of this file.</summary>
    public static string SqlList() => string.Join(", ", Names.Select(n => "'" + n + "'"));
}

internal static class DbEnumTables
{
    public static (string TypeName, string[] Names) For(Type t) => t.Name switch
    {
        nameof(SandboxStatus) => ("sandbox_status", ["pending", "running", "stopping", "stopped", "failed", "aborted", "snapshotting"]),
        nameof(SandboxSourceType) => ("sandbox_source_type", ["git", "tarball", "snapshot", "empty"]),
        nameof(SnapshotStatus) => ("snapshot_status", ["created", "deleted", "failed"]),
        nameof(FeaturePhase) => ("feature_phase", ["analysis", "approaches", "judging", "implementation", "pr", "completed", "failed"]),
        nameof(PhaseStatus) => ("phase_status", ["running", "passed", "failed"]),
        nameof(AgentType) => ("agent_type", ["orchestrator", "explorer", "coder", "judge", "meta_judge"]),
        nameof(FinishReason) => ("finish_reason", ["stop", "length", "content-filter", "tool-calls", "error", "other"]),
        nameof(ToolOutputType) => ("tool_output_type", ["text", "json", "execution-denied", "error-text", "error-json", "content"]),
        nameof(MemoryKind) => ("memory_kind", ["insight", "failure", "decision", "constraint"]),
        nameof(CtaKind) => ("cta_kind", ["approval", "text", "choice"]),
        _ => throw new InvalidOperationException($"No stored names for {t.Name}."),
    };
}
