namespace AgentPipeline.Cli.Ids;

/// <summary>
/// The short form of a UUID shown in tables. UUIDv7 ids begin with their millisecond timestamp, so
/// runs made close together share their first characters; their last characters are random. The
/// short form is therefore the last <see cref="Length"/> hex digits.
/// </summary>
internal static class ShortId
{
    public const int Length = 8;

    /// <summary>The fewest hex digits a typed prefix or suffix needs: fewer match too much to be useful.</summary>
    public const int MinimumTyped = 4;

    public static string Of(Guid id) => Hex(id)[^Length..];

    public static string? Of(Guid? id) => id is { } value ? Of(value) : null;

    /// <summary>The 32 lower-case hex digits of <paramref name="id"/>, without dashes.</summary>
    public static string Hex(Guid id) => id.ToString("N");
}
