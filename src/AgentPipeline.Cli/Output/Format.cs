using System.Globalization;

namespace AgentPipeline.Cli.Output;

/// <summary>How values look in tables and trees; JSON output keeps the exact values instead.</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>An enum value as data-model.md stores it (<c>meta_judge</c>, <c>tool-calls</c>), never <c>ToString()</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum => StoredNames.Of(value);

    public static string? Name<T>(T? value) where T : struct, Enum => value is { } v ? StoredNames.Of(v) : null;

    /// <summary>An exact count with thousands separators: <c>392,235</c>.</summary>
    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string Count(long? value) => value is { } v ? Count(v) : "-";

    /// <summary>A count in at most six characters for narrow columns: <c>9,999</c>, <c>392.2k</c>, <c>12.3M</c>.</summary>
    public static string Compact(long value) => Math.Abs(value) switch
    {
        < 10_000 => Count(value),
        < 999_950 => (value / 1_000d).ToString("0.0", Invariant) + "k",
        < 999_950_000 => (value / 1_000_000d).ToString("0.0", Invariant) + "M",
        _ => (value / 1_000_000_000d).ToString("0.0", Invariant) + "B",
    };

    /// <summary>A duration in at most six characters: <c>850ms</c>, <c>4.2s</c>, <c>12m05s</c>, <c>3h07m</c>, <c>2d04h</c>; <c>-</c> when unknown.</summary>
    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "-",
        { } d when d < TimeSpan.Zero => "-",
        { TotalSeconds: < 1 } d => ((int)d.TotalMilliseconds).ToString(Invariant) + "ms",
        { TotalSeconds: < 59.95 } d => d.TotalSeconds.ToString("0.0", Invariant) + "s",
        { TotalHours: < 1 } d => string.Create(Invariant, $"{(int)d.TotalMinutes}m{d.Seconds:00}s"),
        { TotalDays: < 1 } d => string.Create(Invariant, $"{(int)d.TotalHours}h{d.Minutes:00}m"),
        { } d => string.Create(Invariant, $"{(int)d.TotalDays}d{d.Hours:00}h"),
    };

    public static TimeSpan? Between(DateTimeOffset start, DateTimeOffset? end) => end is { } e ? e - start : null;

    public static long? Milliseconds(TimeSpan? duration) => duration is { } d ? (long)d.TotalMilliseconds : null;

    /// <summary>
    /// Whether times are printed in this machine's zone with its offset (<c>--local</c>) rather
    /// than in UTC with a <c>Z</c>. Every time the CLI prints outside JSON, in tables, trees and
    /// error messages alike, goes through <see cref="Time(DateTimeOffset)"/> or <see cref="ShortTime"/>.
    /// </summary>
    public static bool LocalTime { get; set; }

    /// <summary>A date and time to the minute without the year, for narrow columns: <c>11-26 09:30Z</c>, or <c>11-26 10:30+01:00</c> with <c>--local</c>.</summary>
    public static string ShortTime(DateTimeOffset time) => Stamp(time, "MM-dd HH:mm");

    /// <summary>A date and time to the second: <c>2026-11-26 09:30:12Z</c>, or <c>2026-11-26 10:30:12+01:00</c> with <c>--local</c>.</summary>
    public static string Time(DateTimeOffset time) => Stamp(time, "yyyy-MM-dd HH:mm:ss");

    private static string Stamp(DateTimeOffset time, string format) => LocalTime
        ? time.ToLocalTime().ToString(format + "zzz", Invariant)
        : time.ToUniversalTime().ToString(format, Invariant) + "Z";

    public static string Time(DateTimeOffset? time) => time is { } t ? Time(t) : "-";

    /// <summary>ISO-8601 in UTC to the microsecond, the form of JSON output.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", Invariant);

    /// <summary>Collapses whitespace (prompts may hold newlines) and cuts to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string OneLine(string? text, int max)
    {
        var line = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= max ? line : line[..Math.Max(0, max - 1)].TrimEnd() + "…";
    }

    /// <summary>Word-wraps <paramref name="text"/> (whitespace collapsed) into lines of at most <paramref name="width"/> characters.</summary>
    public static IReadOnlyList<string> Wrap(string? text, int width)
    {
        width = Math.Max(1, width);
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var word in (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            if (line.Length > 0 && line.Length + 1 + rest.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            // A word longer than the line (a URL, a path) is cut rather than allowed to overflow.
            while (rest.Length > width)
            {
                lines.Add(rest[..width]);
                rest = rest[width..];
            }
            if (line.Length > 0)
            {
                line.Append(' ');
            }
            line.Append(rest);
        }
        if (line.Length > 0 || lines.Count == 0)
        {
            lines.Add(line.ToString());
        }
        return lines;
    }
}
