using System.Globalization;
using System.Numerics;

namespace AgentPipeline.Persistence.Internal;

/// <summary>
/// Instants are kept to the microsecond (PostgreSQL's timestamptz precision) so both providers
/// store and return the same value. SQLite stores them as fixed-width ISO-8601 UTC text, which
/// sorts and compares correctly as text.
/// </summary>
internal static class DbTime
{
    public const string SqliteFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private const int SqliteLength = 27; // 2026-01-02T03:04:05.123456Z

    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.UtcTicks;
        return new DateTimeOffset(utc - (utc % 10), TimeSpan.Zero);
    }

    public static string ToSqlite(DateTimeOffset value) =>
        value.UtcDateTime.ToString(SqliteFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset FromSqlite(string text) =>
        TryParseFixed(text.AsSpan(), out var value) ? value : ParseExact(text);

    /// <summary>The same, straight from SQLite's UTF-8 bytes.</summary>
    public static DateTimeOffset FromSqlite(ReadOnlySpan<byte> utf8) =>
        TryParseFixed(utf8, out var value) ? value : ParseExact(System.Text.Encoding.UTF8.GetString(utf8));

    // Anything not in the exact stored shape (a value written by hand, say) goes through the
    // framework's parser, which accepts the format or fails with its own message.
    private static DateTimeOffset ParseExact(string text) =>
        new(DateTime.ParseExact(text, SqliteFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    /// <summary>
    /// Reads <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c> by position: the framework's ParseExact walks its
    /// format string per call, which was a tenth of reading 1,000 memory records.
    /// </summary>
    private static bool TryParseFixed<T>(ReadOnlySpan<T> s, out DateTimeOffset value)
        where T : unmanaged, IBinaryInteger<T>
    {
        value = default;
        if (s.Length != SqliteLength
            || !Is(s[4], '-') || !Is(s[7], '-') || !Is(s[10], 'T') || !Is(s[13], ':') || !Is(s[16], ':')
            || !Is(s[19], '.') || !Is(s[26], 'Z'))
        {
            return false;
        }
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)
            || !Digits(s, 20, 6, out var micros))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + micros * 10L;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static bool Is<T>(T c, char expected) where T : unmanaged, IBinaryInteger<T> => int.CreateTruncating(c) == expected;

    private static bool Digits<T>(ReadOnlySpan<T> s, int start, int count, out int number) where T : unmanaged, IBinaryInteger<T>
    {
        number = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = int.CreateTruncating(s[i]) - '0';
            if ((uint)d > 9)
            {
                return false;
            }
            number = number * 10 + d;
        }
        return true;
    }
}
