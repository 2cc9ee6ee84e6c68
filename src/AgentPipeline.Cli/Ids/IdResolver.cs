using AgentPipeline.Cli.Commands;
using AgentPipeline.Cli.Reading;
using AgentPipeline.Persistence;

namespace AgentPipeline.Cli.Ids;

/// <summary>
/// Turns what a user typed into one id: the full UUID, or at least <see cref="ShortId.MinimumTyped"/>
/// hex digits (dashes and case ignored) that begin the id, end it, or begin its short form (so the
/// start of what a table shows works too). No match exits 2; more than one is a usage error (exit 1)
/// that lists the candidates.
/// </summary>
internal static class IdResolver
{
    /// <summary>More candidates than this are summarized rather than listed, to keep the error on one readable line.</summary>
    private const int ListedCandidates = 5;

    /// <summary>A run's id from what the user typed.</summary>
    /// <inheritdoc cref="ResolveAsync" path="/exception"/>
    public static Task<Guid> RunAsync(PipelineDb db, string typed, CancellationToken cancellationToken) =>
        ResolveAsync(
            async (id, ct) => await PipelinePersistence.GetFeatureRunAsync(db, id, ct),
            ct => Ids(RunReads.AllAsync(db, new FeatureRunQuery(), ct), r => r.Id),
            typed, "run", cancellationToken);

    /// <summary>A CTA's id from what the user typed.</summary>
    /// <inheritdoc cref="ResolveAsync" path="/exception"/>
    public static Task<Guid> CtaAsync(PipelineDb db, string typed, CancellationToken cancellationToken) =>
        ResolveAsync(
            async (id, ct) => await PipelinePersistence.GetCtaEventAsync(db, id, ct),
            ct => Ids(CtaReads.AllAsync(db, CtaEventState.All, runId: null, ct), c => c.Id),
            typed, "CTA", cancellationToken);

    private static async Task<List<Guid>> Ids<T>(IAsyncEnumerable<T> rows, Func<T, Guid> id)
    {
        var ids = new List<Guid>();
        await foreach (var row in rows)
        {
            ids.Add(id(row));
        }
        return ids;
    }

    /// <param name="read">Reads the row of the id given; throws <see cref="RecordNotFoundException"/> when there is none.</param>
    /// <param name="all">Every id of the kind asked for, through the library's listing (pages of its largest size).</param>
    /// <param name="typed">What the user typed.</param>
    /// <param name="what">The kind of id, for messages (<c>run</c>, <c>CTA</c>).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <exception cref="CliException">The text is not an id (exit 1), matches nothing (exit 2) or matches several ids (exit 1).</exception>
    private static async Task<Guid> ResolveAsync(
        Func<Guid, CancellationToken, Task<object>> read, Func<CancellationToken, Task<List<Guid>>> all, string typed, string what,
        CancellationToken cancellationToken)
    {
        var hex = Normalize(typed, what);
        if (hex.Length == 32)
        {
            var id = Guid.ParseExact(hex, "N");
            try
            {
                await read(id, cancellationToken);
                return id;
            }
            catch (Exception e) when (e is RecordNotFoundException or ArgumentException)
            {
                // ArgumentException: the empty id (32 zeros), which no row has.
                throw new CliException($"No {what} has the id '{typed}'.", ExitCodes.NotFound, e);
            }
        }
        // Prefix and suffix matching on the hex digits is done here: the library lists ids, it does not match parts of them.
        return Match(typed, hex, await all(cancellationToken), what);
    }

    /// <summary>Why <paramref name="typed"/> cannot be an id, or null when it can.</summary>
    public static string? Problem(string typed, string what)
    {
        var hex = Hex(typed);
        return hex.Length is < ShortId.MinimumTyped or > 32 || !hex.All(char.IsAsciiHexDigit)
            ? $"'{typed}' is not {("aeiou".Contains(char.ToLowerInvariant(what[0]), StringComparison.Ordinal) ? "an" : "a")} {what} id: give the full id, its short id, or at least {ShortId.MinimumTyped} hex digits from the start or end of either."
            : null;
    }

    /// <summary>Normalizes the typed text to lower-case hex digits.</summary>
    /// <exception cref="CliException">The text is not hex or is too short (usage, exit 1).</exception>
    public static string Normalize(string typed, string what) =>
        Problem(typed, what) is { } problem ? throw new CliException(problem, ExitCodes.Failure) : Hex(typed);

    private static string Hex(string typed) => typed.Trim().Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>Picks the one id among <paramref name="candidates"/> that <paramref name="hex"/> begins, ends, or begins the short form of.</summary>
    /// <exception cref="CliException">None matches (exit 2) or several do (exit 1).</exception>
    public static Guid Match(string typed, string hex, IEnumerable<Guid> candidates, string what, string? whats = null)
    {
        var matches = candidates
            .Where(id => ShortId.Hex(id) is var h
                && (h.StartsWith(hex, StringComparison.Ordinal) || h.EndsWith(hex, StringComparison.Ordinal)
                    || ShortId.Of(id).StartsWith(hex, StringComparison.Ordinal)))
            .Distinct()
            .OrderBy(ShortId.Hex, StringComparer.Ordinal)
            .ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"No {what} matches '{typed}'.", ExitCodes.NotFound),
            _ => throw new CliException(
                $"'{typed}' matches {matches.Count} {whats ?? what + "s"} ({Describe(matches)}); type more of the id.", ExitCodes.Failure),
        };
    }

    private static string Describe(List<Guid> matches)
    {
        var listed = string.Join(", ", matches.Take(ListedCandidates).Select(id => id.ToString()));
        return matches.Count > ListedCandidates ? $"{listed} and {matches.Count - ListedCandidates} more" : listed;
    }
}
