using System.Globalization;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Instants are kept to the microsecond (PostgreSQL's timestamptz precision) so both providers
/// store and return the same value. SQLite stores them as fixed-width ISO-8601 UTC text, which
/// sorts and compares correctly as text.
/// </summary>
internal static class DbTime
{
    public const string SqliteFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.UtcTicks;
        return new DateTimeOffset(utc - (utc % 10), TimeSpan.Zero);
    }

    public static string ToSqlite(DateTimeOffset value) =>
        value.UtcDateTime.ToString(SqliteFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset FromSqlite(string text) =>
        new(DateTime.ParseExact(text, SqliteFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);
}
