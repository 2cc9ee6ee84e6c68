using System.Text;
using AgentPipeline.Persistence.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AgentPipeline.Persistence.Schema;

/// <summary>
/// Rules every table follows, applied after the per-table configurations: snake_case columns,
/// enums stored as the spec's strings with a CHECK constraint, JSON as json (PostgreSQL: the text as written, unlike jsonb) or
/// text checked by <c>json_valid</c> (SQLite), and on SQLite the text forms the raw writers use
/// for uuids (lower-case) and instants (fixed-width ISO-8601 UTC, which sorts as text).
/// </summary>
internal static class SchemaConventions
{
    internal const string JsonAnnotation = "AgentPipeline:Json";

    public static PropertyBuilder<string?> IsJson(this PropertyBuilder<string?> property) =>
        property.HasAnnotation(JsonAnnotation, true);

    public static void Apply(ModelBuilder modelBuilder, PipelineProvider provider)
    {
        var sqlite = provider == PipelineProvider.Sqlite;
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var checks = new List<(string Name, string Sql)>();
            foreach (var property in entity.GetProperties())
            {
                var column = ToSnakeCase(property.Name);
                property.SetColumnName(column);
                var clr = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
                if (clr.IsEnum)
                {
                    property.SetValueConverter(EnumConverter(clr));
                    property.SetColumnType("text");
                    checks.Add(($"ck_{table}_{column}", $"{column} IN ({EnumSqlList(clr)})"));
                }
                else if (property.FindAnnotation(JsonAnnotation) is not null)
                {
                    property.SetValueConverter(JsonText);
                    property.SetColumnType(sqlite ? "TEXT" : "json");
                    if (sqlite)
                    {
                        checks.Add(($"ck_{table}_{column}_json", $"{column} IS NULL OR json_valid({column})"));
                    }
                }
                else if (clr == typeof(string))
                {
                    property.SetValueConverter(PlainText);
                }
                else if (sqlite && clr == typeof(Guid))
                {
                    property.SetValueConverter(property.ClrType == typeof(Guid) ? GuidText : NullableGuidText);
                }
                else if (sqlite && clr == typeof(DateTimeOffset))
                {
                    property.SetValueConverter(property.ClrType == typeof(DateTimeOffset) ? TimeText : NullableTimeText);
                }
            }
            var builder = modelBuilder.Entity(entity.ClrType);
            builder.ToTable(t =>
            {
                foreach (var (name, sql) in checks)
                {
                    t.HasCheckConstraint(name, sql);
                }
            });
        }
    }

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    // Reads through EF (the CLI) undo DbText's escapes like the store's own readers do.
    private static readonly ValueConverter<string, string> PlainText = new(v => DbText.Encode(v), v => DbText.Decode(v));
    private static readonly ValueConverter<string, string> JsonText = new(v => v, v => DbJson.DecodeText(v));

    private static readonly ValueConverter<Guid, string> GuidText = new(v => v.ToString("D"), v => Guid.Parse(v));
    private static readonly ValueConverter<Guid?, string?> NullableGuidText =
        new(v => v.HasValue ? v.Value.ToString("D") : null, v => v == null ? null : Guid.Parse(v));
    private static readonly ValueConverter<DateTimeOffset, string> TimeText = new(v => DbTime.ToSqlite(v), v => DbTime.FromSqlite(v));
    private static readonly ValueConverter<DateTimeOffset?, string?> NullableTimeText =
        new(v => v.HasValue ? DbTime.ToSqlite(v.Value) : null, v => v == null ? null : DbTime.FromSqlite(v));

    private static ValueConverter EnumConverter(Type enumType) =>
        (ValueConverter)Activator.CreateInstance(typeof(DbEnumConverter<>).MakeGenericType(enumType))!;

    private static string EnumSqlList(Type enumType) =>
        (string)typeof(DbEnum<>).MakeGenericType(enumType).GetMethod(nameof(DbEnum<SandboxStatus>.SqlList))!.Invoke(null, null)!;

    private sealed class DbEnumConverter<T>() : ValueConverter<T, string>(v => DbEnum<T>.ToDb(v), s => DbEnum<T>.Parse(s))
        where T : struct, Enum;
}
