using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AgentPipeline.Persistence.Benchmarks.Infrastructure;

/// <summary>
/// Untimed set-up: rows that state-changing calls act on (open invocations, running phase results,
/// open CTAs) and the 1,000 memory records a read returns, written in one transaction each,
/// shaped like the rows the library's own creates leave.
/// </summary>
internal static class Seeder
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    public static Task<Guid[]> OpenInvocationsAsync(BenchDatabase database, Guid runId, Guid phaseResultId, int count) =>
        InsertAsync(database, count,
            "INSERT INTO {s}.agent_invocations (id, run_id, phase_result_id, agent_type, model_provider, model_id, system_prompt, input_messages, started_at) " +
            "VALUES (@id, @run_id, @phase_result_id, 'coder', 'anthropic.messages', 'claude-sonnet-4-5', 'You are the coder agent.', @input_messages, @at)",
            (id, _) => [("id", id), ("run_id", runId), ("phase_result_id", phaseResultId), ("input_messages", Payloads.InputMessages.GetRawText()), ("at", Epoch)]);

    public static Task<Guid[]> RunningPhaseResultsAsync(BenchDatabase database, Guid runId, int count) =>
        InsertAsync(database, count,
            "INSERT INTO {s}.phase_results (id, run_id, phase, status, started_at) VALUES (@id, @run_id, 'implementation', 'running', @at)",
            (id, _) => [("id", id), ("run_id", runId), ("at", Epoch)]);

    public static Task<Guid[]> OpenApprovalCtasAsync(BenchDatabase database, Guid runId, Guid phaseResultId, Guid invocationId, int count) =>
        InsertAsync(database, count,
            "INSERT INTO {s}.cta_events (id, run_id, phase_result_id, invocation_id, tool_call_id, kind, request_message, requested_at, timed_out) " +
            "VALUES (@id, @run_id, @phase_result_id, @invocation_id, 'toolu_cta', 'approval', 'Open the pull request?', @at, FALSE)",
            (id, _) => [("id", id), ("run_id", runId), ("phase_result_id", phaseResultId), ("invocation_id", invocationId), ("at", Epoch)]);

    public static Task<Guid[]> MemoryRecordsAsync(BenchDatabase database, Guid runId, Guid phaseResultId, Guid invocationId, int count)
    {
        var sqlite = database.Provider == PipelineProvider.Sqlite;
        return InsertAsync(database, count,
            "INSERT INTO {s}.memory_records (id, run_id, phase_result_id, invocation_id, phase, kind, content, created_at" + (sqlite ? ", seq" : "") + ") " +
            "VALUES (@id, @run_id, @phase_result_id, @invocation_id, 'implementation', @kind, @content, @at" +
            (sqlite ? ", (SELECT COALESCE(MAX(m.seq), 0) + 1 FROM main.memory_records m)" : "") + ")",
            (id, i) =>
            {
                var note = Payloads.Memory(phaseResultId, invocationId, i);
                return
                [
                    ("id", id), ("run_id", runId), ("phase_result_id", phaseResultId), ("invocation_id", invocationId),
                    ("kind", new[] { "insight", "failure", "decision", "constraint" }[(int)note.Kind]), ("content", note.Content),
                    // A few share a tick, as records written in one burst do: the seq tie-break matters.
                    ("at", Epoch.AddTicks(i / 3 * 10)),
                ];
            });
    }

    private static async Task<Guid[]> InsertAsync(BenchDatabase database, int count, string template,
        Func<Guid, int, (string Name, object Value)[]> values)
    {
        var sqlite = database.Provider == PipelineProvider.Sqlite;
        var ids = new Guid[count];
        await using var connection = Open(database);
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = template.Replace("{s}", sqlite ? "main" : "agent", StringComparison.Ordinal);
        for (var i = 0; i < count; i++)
        {
            ids[i] = Guid.CreateVersion7();
            command.Parameters.Clear();
            foreach (var (name, value) in values(ids[i], i))
            {
                var p = command.CreateParameter();
                p.ParameterName = name;
                p.Value = value switch
                {
                    Guid g when sqlite => g.ToString("D"),
                    DateTimeOffset t when sqlite => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                    _ => value,
                };
                if (!sqlite && name == "input_messages")
                {
                    ((NpgsqlParameter)p).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Json;
                }
                command.Parameters.Add(p);
            }
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return ids;
    }

    private static DbConnection Open(BenchDatabase database)
    {
        DbConnection connection = database.Provider == PipelineProvider.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database.Target, Pooling = false, DefaultTimeout = 30 }.ToString())
            : new NpgsqlConnection(database.Target);
        connection.Open();
        return connection;
    }
}
