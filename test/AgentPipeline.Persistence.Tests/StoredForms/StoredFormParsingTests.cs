using System.Globalization;
using System.Text;
using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Sqlite;
using AgentPipeline.Persistence.Tests.Infrastructure;
using AgentPipeline.Persistence.Tests.Robustness;

namespace AgentPipeline.Persistence.Tests.StoredForms;

/// <summary>
/// SQLite reads parse ids, instants, enum values and text straight from the column's UTF-8 bytes.
/// Each of those parsers must agree with the string path (and the framework's own parsers) on every
/// stored value, and refuse what is not one.
/// </summary>
public sealed class StoredFormParsingTests
{
    [Fact]
    public void Instants_parse_from_bytes_and_from_text_exactly_as_the_framework_parses_them()
    {
        var random = new Random(20261126);
        var instants = new List<DateTimeOffset>
        {
            DateTimeOffset.MinValue, DbTime.Truncate(DateTimeOffset.MaxValue),
            new(2024, 2, 29, 23, 59, 59, TimeSpan.Zero), new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero),
        };
        for (var i = 0; i < 5000; i++)
        {
            instants.Add(DbTime.Truncate(new DateTimeOffset(random.NextInt64(DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero)));
        }
        foreach (var instant in instants)
        {
            var text = DbTime.ToSqlite(instant);
            var framework = DateTime.ParseExact(text, DbTime.SqliteFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.Equal(instant, DbTime.FromSqlite(text));
            Assert.Equal(instant, DbTime.FromSqlite(Encoding.UTF8.GetBytes(text)));
            Assert.Equal(framework.Ticks, DbTime.FromSqlite(text).UtcTicks);
        }
    }

    [Theory]
    [InlineData("2026-02-30T00:00:00.000000Z")] // no such day
    [InlineData("2026-13-01T00:00:00.000000Z")]
    [InlineData("2026-01-01T24:00:00.000000Z")]
    [InlineData("2026-01-01T00:60:00.000000Z")]
    [InlineData("2026-01-01T00:00:00Z")] // another shape
    [InlineData("2026-01-01 00:00:00.000000Z")]
    [InlineData("2026-01-01T00:00:00.00000xZ")]
    [InlineData("２026-01-01T00:00:00.000000Z")] // a full-width digit
    [InlineData("")]
    public void Text_that_is_not_a_stored_instant_is_refused_both_ways(string text)
    {
        Assert.Throws<FormatException>(() => DbTime.FromSqlite(text));
        Assert.Throws<FormatException>(() => DbTime.FromSqlite(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Stored_ids_parse_from_bytes_to_the_same_value_as_from_text()
    {
        var random = new Random(4);
        for (var i = 0; i < 2000; i++)
        {
            var id = i % 2 == 0 ? Guid.CreateVersion7() : new Guid(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 16));
            var stored = id.ToString("D");
            Assert.Equal(Guid.Parse(stored), SqliteRow.ParseGuid(Encoding.UTF8.GetBytes(stored), 0));
            Assert.Equal(id, SqliteRow.ParseGuid(Encoding.UTF8.GetBytes(stored.ToUpperInvariant()), 0));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-uuid")]
    [InlineData("0199f0a27c1e7b3d9a4f2c8e1d6b5a40")] // the N form: not what the store writes
    [InlineData("{0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40}")]
    [InlineData("0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a40 ")]
    [InlineData("0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a4")]
    [InlineData("0199f0a2-7c1e-7b3d-9a4f-2c8e1d6b5a4g")]
    public void Bytes_that_are_not_a_stored_id_are_refused_naming_the_value(string stored)
    {
        var e = Assert.Throws<InvalidDataException>(() => SqliteRow.ParseGuid(Encoding.UTF8.GetBytes(stored), 3));
        Assert.Contains($"'{stored}' in column 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_stored_enum_name_parses_from_bytes_to_the_same_value_as_from_text()
    {
        AssertAllNames<FeaturePhase>();
        AssertAllNames<MemoryKind>();
        AssertAllNames<FinishReason>();
        AssertAllNames<ToolOutputType>();
        AssertAllNames<CtaKind>();
        AssertAllNames<AgentType>();
        AssertAllNames<SandboxStatus>();
    }

    [Theory]
    [InlineData("Insight")]
    [InlineData("insight ")]
    [InlineData("insigh")]
    [InlineData("")]
    public void Bytes_that_are_not_a_stored_name_are_refused_naming_the_type(string stored)
    {
        var e = Assert.Throws<InvalidDataException>(() => DbEnum<MemoryKind>.Parse(Encoding.UTF8.GetBytes(stored)));
        Assert.Contains("memory_kind", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ContentTests<SqliteFixture>.HostileStrings), MemberType = typeof(ContentTests<SqliteFixture>))]
    public void Stored_text_decodes_from_bytes_as_from_the_string(string what, string value)
    {
        var stored = DbText.Encode(value);
        var utf8 = Encoding.UTF8.GetBytes(stored); // stored text is always valid UTF-16, so this is lossless
        Assert.Equal(value, DbText.Decode(stored));
        Assert.True(value == DbText.Decode(utf8), what);
    }

    private static void AssertAllNames<T>() where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            var name = DbEnum<T>.ToDb(value);
            Assert.Equal(value, DbEnum<T>.Parse(name));
            Assert.Equal(value, DbEnum<T>.Parse(Encoding.UTF8.GetBytes(name)));
        }
    }
}
