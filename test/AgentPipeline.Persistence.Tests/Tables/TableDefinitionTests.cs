using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;
using AgentPipeline.Persistence.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AgentPipeline.Persistence.Tests.Tables;

/// <summary>
/// Every table definition under <c>Internal/Tables</c> against EF Core's model of each provider
/// (which the migrations follow): the same columns, each bound as its store type and CLR type
/// say, NULL allowed exactly where the definition allows it. A column added, renamed or retyped
/// on one side only fails here.
/// </summary>
public sealed class TableDefinitionTests
{
    public static TheoryData<PipelineProvider, string> Tables()
    {
        var data = new TheoryData<PipelineProvider, string>();
        foreach (var provider in new[] { PipelineProvider.Sqlite, PipelineProvider.PostgreSql })
        {
            foreach (var table in Definitions.Keys)
            {
                data.Add(provider, table);
            }
        }
        return data;
    }

    private static readonly Dictionary<string, TableDefinition> Definitions = new[]
    {
        AgentSteps.Definition, AgentInvocations.Definition, ToolCalls.Definition, MemoryRecords.Definition,
        FeatureRuns.Definition, PhaseResults.Definition, Sandboxes.Definition, SandboxSnapshots.Definition,
        CtaEvents.Definition,
    }.ToDictionary(d => d.Name);

    [Theory]
    [MemberData(nameof(Tables))]
    public void The_definition_has_exactly_the_columns_of_the_EF_model(PipelineProvider provider, string table)
    {
        var definition = ShapesByName(Definitions[table]);
        var model = ModelTable(provider, table).Columns.Select(c => c.Name).ToHashSet();
        Assert.Empty(model.Except(definition.Keys));
        Assert.Empty(definition.Keys.Except(model));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Each_column_is_bound_as_the_EF_model_stores_it_and_is_nullable_exactly_where_the_model_allows_NULL(PipelineProvider provider, string table)
    {
        var wrong = new List<string>();
        foreach (var (name, shape) in ShapesByName(Definitions[table]))
        {
            if (ModelTable(provider, table).FindColumn(name) is not { } column)
            {
                continue; // reported by the test above
            }
            var property = column.PropertyMappings.Single().Property;
            var clr = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            var json = property.FindAnnotation(SchemaConventions.JsonAnnotation) is not null;
            var (storeType, clrMatches) = Expected(provider, shape.Type, clr, json);
            if (!string.Equals(column.StoreType, storeType, StringComparison.OrdinalIgnoreCase) || !clrMatches)
            {
                wrong.Add($"{name}: defined {shape.Type}, model {column.StoreType} ({clr.Name}{(json ? ", json" : "")})");
            }
            if (column.IsNullable != shape.Nullable)
            {
                wrong.Add($"{name}: defined {(shape.Nullable ? "nullable" : "NOT NULL")}, model {(column.IsNullable ? "nullable" : "NOT NULL")}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [Fact]
    public void Redacted_columns_are_the_request_and_response_bodies_headers_and_provider_metadata()
    {
        string[] fourJson = ["request_body", "response_headers", "response_body", "provider_metadata"];
        Assert.Equal(fourJson.Order(), AgentSteps.Create.Redacted.Order());
        Assert.Equal(fourJson.Order(), AgentInvocations.Completion.Redacted.Order());
        Assert.Empty(AgentInvocations.Create.Redacted);
        Assert.Equal(["provider_metadata"], ToolCalls.Create.Redacted);
        Assert.Empty(ToolCalls.Result.Redacted);
    }

    [Fact]
    public void Tool_call_result_columns_are_those_the_replay_rule_skips()
    {
        Assert.Equal(ToolCallResult.ColumnNames, ToolCalls.Result.Items.Select(c => c.Name));
        Assert.All(ToolCallResult.ColumnNames, name => Assert.True(ToolCalls.Create.Columns.IndexOf(name) >= 0, name));
    }

    [Fact]
    public void A_state_change_built_from_a_definition_names_its_columns_and_binds_each_parameter_once()
    {
        var claim = Statement.Update(Sandboxes.Name).Set(Sandboxes.RunId).Where(Sandboxes.Id)
            .And(Statement.IsNullOrParameter(Sandboxes.RunId)).ToSql();
        var end = Statement.Update(PhaseResults.Name).SetTo(PhaseResults.Status, Statement.Literal(PhaseStatus.Failed)).SetOnce(PhaseResults.CompletedAt)
            .Where(PhaseResults.RunId).And(Statement.Is(PhaseResults.Status, PhaseStatus.Running)).ToSql("{notifycta}");
        var dialect = new Internal.Sqlite.SqliteDialect("Data Source=:memory:", TimeSpan.FromSeconds(1), 1, directCalls: false);

        Assert.Equal("UPDATE main.sandboxes SET run_id = @run_id WHERE id = @id AND (run_id IS NULL OR run_id = @run_id)", claim.TextFor(dialect));
        Assert.Equal([new Param("run_id", Col.Guid), new Param("id", Col.Text)], claim.Parameters);
        Assert.Equal("UPDATE main.phase_results SET status = 'failed', completed_at = COALESCE(completed_at, @completed_at) " +
            "WHERE run_id = @run_id AND status = 'running'", end.TextFor(dialect));
        Assert.Equal([new Param("completed_at", Col.Time), new Param("run_id", Col.Guid)], end.Parameters);
    }

    [Fact]
    public void A_state_read_returns_its_columns_typed_as_the_definition_says()
    {
        var read = Statement.Select(CtaEvents.Name, [CtaEvents.Kind, CtaEvents.RespondedAt, CtaEvents.TimedOut], CtaEvents.Id, "{forupdate}");
        var dialect = new Internal.Sqlite.SqliteDialect("Data Source=:memory:", TimeSpan.FromSeconds(1), 1, directCalls: false);

        Assert.Equal("SELECT kind, responded_at, timed_out FROM main.cta_events WHERE id = @id", read.TextFor(dialect));
        Assert.Equal([new Param("kind", Col.Text), new Param("responded_at", Col.Time), new Param("timed_out", Col.Bool)], read.Results);
        Assert.Equal([new Param("id", Col.Guid)], read.Parameters);

        var first = Statement.SelectFirst(PhaseResults.Name, [PhaseResults.Id, PhaseResults.Phase], PhaseResults.RunId,
            [Statement.Is(PhaseResults.Status, PhaseStatus.Running)], [PhaseResults.StartedAt, PhaseResults.Id]);
        Assert.Equal("SELECT id, phase FROM main.phase_results WHERE run_id = @run_id AND status = 'running' ORDER BY started_at, id LIMIT 1",
            first.TextFor(dialect));
        Assert.Equal([new Param("run_id", Col.Guid)], first.Parameters);
    }

    [Theory]
    [InlineData("d => d.Usage", "data.Usage")]
    [InlineData("x=>x.ResponseHeaders", "data.ResponseHeaders")]
    public void A_getter_names_the_callers_field(string getter, string field) =>
        Assert.Equal(field, Column<NewAgentStep>.Field(getter));

    [Fact]
    public void A_getter_that_is_not_a_property_access_is_refused() =>
        Assert.Throws<ArgumentException>(() => Column<NewAgentStep>.Field("Get"));

    /// <summary>Each column once; a column two calls write (a tool call's result) must be defined alike by both.</summary>
    private static Dictionary<string, ColumnShape> ShapesByName(TableDefinition definition)
    {
        var byName = new Dictionary<string, ColumnShape>();
        foreach (var shape in definition.Columns)
        {
            if (byName.TryGetValue(shape.Name, out var other))
            {
                Assert.True(other == shape, $"{definition.Name}.{shape.Name} is defined as {other} and as {shape}");
            }
            byName[shape.Name] = shape;
        }
        return byName;
    }

    private static (string StoreType, bool ClrMatches) Expected(PipelineProvider provider, Col type, Type clr, bool json)
    {
        var sqlite = provider == PipelineProvider.Sqlite;
        return type switch
        {
            Col.Text => (sqlite ? "TEXT" : "text", !json && (clr == typeof(string) || clr.IsEnum)),
            Col.Json => (sqlite ? "TEXT" : "json", json && clr == typeof(string)),
            Col.Guid => (sqlite ? "TEXT" : "uuid", clr == typeof(Guid)),
            Col.Time => (sqlite ? "TEXT" : "timestamp with time zone", clr == typeof(DateTimeOffset)),
            Col.Int => (sqlite ? "INTEGER" : "integer", clr == typeof(int)),
            Col.Long => (sqlite ? "INTEGER" : "bigint", clr == typeof(long)),
            Col.Bool => (sqlite ? "INTEGER" : "boolean", clr == typeof(bool)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }

    private static readonly Dictionary<PipelineProvider, IRelationalModel> Models = new()
    {
        [PipelineProvider.Sqlite] = RelationalModel(ContextFactory.CreateSqlite("Data Source=:memory:")),
        [PipelineProvider.PostgreSql] = PostgreSqlModel(),
    };

    private static IRelationalModel PostgreSqlModel()
    {
        // No connection is opened: the model is built from the configuration alone.
        using var source = new Npgsql.NpgsqlDataSourceBuilder("Host=localhost;Database=model_check").Build();
        return RelationalModel(ContextFactory.CreatePostgreSql(source));
    }

    private static IRelationalModel RelationalModel(DbContext context)
    {
        using (context)
        {
            return context.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        }
    }

    private static ITable ModelTable(PipelineProvider provider, string table) =>
        Models[provider].Tables.SingleOrDefault(t => t.Name == table) ?? throw new InvalidOperationException($"The EF model has no table {table}.");
}
