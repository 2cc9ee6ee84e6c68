using System.Data.Common;
using System.Globalization;
using AgentPipeline.Persistence.Benchmarks.Baseline;
using AgentPipeline.Persistence.Benchmarks.Infrastructure;
using AgentPipeline.Persistence.Benchmarks.Naive;
using AgentPipeline.Persistence.Benchmarks.Workloads;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentPipeline.Persistence.Benchmarks.Quick;

/// <summary>
/// <c>--verify</c>: proof that the three sides do the same database work. Each measured operation
/// runs once per side with the same input on sibling parents, and the rows it leaves are read back
/// with <c>SELECT *</c> and compared column by column with ours (ids, parents and the store's own
/// timestamps aside). A comparison is only fair while this says "same".
/// </summary>
internal static class VerifyRunner
{
    // Columns that legitimately differ between the sides' rows.
    private static readonly HashSet<string> Own =
        ["id", "invocation_id", "step_id", "phase_result_id", "seq", "created_at", "started_at", "completed_at", "responded_at"];

    public static async Task<int> RunAsync(IReadOnlyList<PipelineProvider> providers)
    {
        var failures = 0;
        foreach (var provider in providers)
        {
            await using var database = await BenchDatabase.CreateAsync(provider);
            await using var baseline = RawStore.Open(database);
            IPipelineCalls[] sides = [new OursCalls(database.Db), baseline, new EfNaiveStore(database)];
            var ours = sides[0];
            var run = await ours.CreateFeatureRunAsync(new NewFeatureRun { Prompt = "Add CSV export to the orders page" });
            var phase = await ours.CreatePhaseResultAsync(new NewPhaseResult { RunId = run, Phase = FeaturePhase.Implementation });
            var invocations = new Guid[3];
            var steps = new Guid[3];
            for (var s = 0; s < 3; s++)
            {
                invocations[s] = await sides[s].CreateAgentInvocationAsync(Payloads.Invocation(phase, AgentType.Coder));
                steps[s] = await sides[s].CreateAgentStepAsync(Payloads.Step(invocations[s], 0));
            }
            failures += await CompareAsync(database, "CreateAgentInvocation", "agent_invocations", invocations);
            failures += await CompareAsync(database, "CreateAgentStep", "agent_steps", steps);

            var toolCalls = new Guid[3];
            var notes = new Guid[3];
            for (var s = 0; s < 3; s++)
            {
                toolCalls[s] = await sides[s].CreateToolCallAsync(Payloads.ToolCall(steps[s], 0));
                notes[s] = await sides[s].CreateMemoryRecordAsync(Payloads.Memory(phase, invocations[s], 1));
            }
            failures += await CompareAsync(database, "CreateToolCall", "tool_calls", toolCalls);
            failures += await CompareAsync(database, "CreateMemoryRecord", "memory_records", notes);

            var open = await Seeder.OpenInvocationsAsync(database, run, phase, 3);
            var running = await Seeder.RunningPhaseResultsAsync(database, run, 3);
            var ctas = await Seeder.OpenApprovalCtasAsync(database, run, phase, invocations[0], 3);
            for (var s = 0; s < 3; s++)
            {
                await sides[s].CompleteAgentInvocationAsync(open[s], Payloads.Completion);
                await sides[s].PassPhaseResultAsync(running[s], Payloads.PhaseOutput);
                await sides[s].CompleteCtaEventAsync(ctas[s], Payloads.Approval);
            }
            failures += await CompareAsync(database, "CompleteAgentInvocation", "agent_invocations", open);
            failures += await CompareAsync(database, "PassPhaseResult", "phase_results", running);
            failures += await CompareAsync(database, "CompleteCtaEvent", "cta_events", ctas);

            var reads = new List<IReadOnlyList<MemoryRecord>>();
            foreach (var side in sides)
            {
                reads.Add(await side.GetMemoryRecordsAsync(run));
            }
            var sameReads = reads.All(r => r.SequenceEqual(reads[0]));
            Report("GetMemoryRecords", provider, sameReads ? $"same {reads[0].Count} records, same order, on all three sides" : "DIFFERENT results");
            failures += sameReads ? 0 : 1;
        }
        Console.WriteLine(failures == 0 ? "All sides do the same database work." : $"{failures} comparison(s) differ.");
        return failures == 0 ? 0 : 1;
    }

    private static async Task<int> CompareAsync(BenchDatabase database, string operation, string table, Guid[] ids)
    {
        var rows = new List<Dictionary<string, object?>>();
        foreach (var id in ids)
        {
            rows.Add(await RowAsync(database, table, id));
        }
        var problems = new List<string>();
        string[] names = ["baseline", "EF naive"];
        for (var s = 1; s < 3; s++)
        {
            var differing = rows[0].Keys.Where(k => !Own.Contains(k) && !Same(rows[0][k], rows[s][k])).ToList();
            if (differing.Count > 0)
            {
                problems.Add($"{names[s - 1]} differs in {string.Join(", ", differing)}");
            }
        }
        var compared = rows[0].Keys.Count(k => !Own.Contains(k));
        Report(operation, database.Provider, problems.Count == 0 ? $"same row on all three sides ({compared} columns compared)" : string.Join("; ", problems));
        return problems.Count == 0 ? 0 : 1;
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        // Each side keeps the text it wrote, and the sides serialize some values differently
        // (spacing, escapes): compare JSON by meaning.
        (string x, string y) when x.StartsWith('{') || x.StartsWith('[') => JsonSame(x, y),
        _ => Equals(a, b),
    };

    private static bool JsonSame(string x, string y)
    {
        try
        {
            using var a = System.Text.Json.JsonDocument.Parse(x);
            using var b = System.Text.Json.JsonDocument.Parse(y);
            return System.Text.Json.JsonElement.DeepEquals(a.RootElement, b.RootElement);
        }
        catch (System.Text.Json.JsonException)
        {
            return x == y;
        }
    }

    private static async Task<Dictionary<string, object?>> RowAsync(BenchDatabase database, string table, Guid id)
    {
        var sqlite = database.Provider == PipelineProvider.Sqlite;
        await using DbConnection connection = sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.Target, Pooling = false }.ToString())
            : new NpgsqlConnection(database.Target);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {(sqlite ? "main" : "agent")}.{table} WHERE id = @id";
        var p = command.CreateParameter();
        p.ParameterName = "id";
        p.Value = sqlite ? id.ToString("D") : id;
        command.Parameters.Add(p);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"No {table} row {id}.");
        }
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
        return row;
    }

    private static void Report(string operation, PipelineProvider provider, string what) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation,-24} {(provider == PipelineProvider.Sqlite ? "SQLite" : "PostgreSQL"),-10} {what}"));
}
