using AgentPipeline.Persistence.Internal;
using AgentPipeline.Persistence.Internal.Tables;

namespace AgentPipeline.Persistence;

public static partial class PipelinePersistence
{
    /// <summary>The result columns of a tool call: null, null, null on a call still waiting for its result.</summary>
    private static readonly Columns ToolResultColumns = ToolCalls.Result.Columns;

    /// <summary>The output in its shared form when large (docs/storage.md).</summary>
    private static readonly Internal.Content.SharedColumns ToolResultShared = Internal.Content.SharedColumns.ForToolResults(ToolResultColumns);

    private static readonly ColumnShape[] ToolResultShapes = [.. ToolCalls.Result.Shapes];

    private static readonly Sql CompleteToolCall = ToolCalls.HasNoResult.Aggregate(
        Statement.Update(ToolCalls.Name).Set(ToolResultShapes).Where(ToolCalls.Id), (update, condition) => update.And(condition)).ToSql();

    private static readonly Sql ToolCallResult = Statement.Select(ToolCalls.Name, ToolResultShapes, ToolCalls.Id);

    /// <summary>
    /// Records a tool call's result after the call itself was recorded (by <see cref="CreateToolCallAsync"/>
    /// without an output). A tool call has a result once its <c>output</c>, <c>output_type</c> or
    /// <c>error</c> is set, by this function or by the create. The result is recorded once: the same
    /// result again is a no-op; a different one is refused. The output is stored as given, like a
    /// create's (only <c>provider_metadata</c> of a tool call is redacted).
    /// </summary>
    /// <exception cref="ArgumentException">A field is malformed, or neither an output nor an error is given; nothing was written.</exception>
    /// <exception cref="RecordNotFoundException">The tool call does not exist.</exception>
    /// <exception cref="InvalidStateTransitionException">The tool call already has a different result.</exception>
    /// <exception cref="PipelineDatabaseException">The database failed.</exception>
    public static async Task CompleteToolCallAsync(PipelineDb db, Guid toolCallId, ToolCallCompletion data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(data);
        Check.Id(toolCallId, nameof(toolCallId));
        var values = ToolCalls.Result.Values(data, db.Redactor);
        if (data.Output is null && data.Error is null)
        {
            throw new ArgumentException("data.Output or data.Error is required: a tool call's result is one or the other.", "data.Output");
        }
        // A large output in its shared form, its new pieces written first in the same transaction.
        var args = db.Writes.Contents.Share(ToolResultShared, values, toolCallId, out var content);
        await db.Writes.RunAsync(write: true, async (session, ct) =>
        {
            if (content is not null)
            {
                await session.BeginAsync(ct).ConfigureAwait(false);
                foreach (var statement in content.Statements)
                {
                    await session.ExecuteBoundAsync(statement.Sql, statement.Row!, ct).ConfigureAwait(false);
                }
            }
            if (await session.ExecuteAsync(CompleteToolCall, [.. args, toolCallId], ct).ConfigureAwait(false) == 1)
            {
                if (content is not null)
                {
                    await session.CommitAsync(ct).ConfigureAwait(false);
                    db.Writes.Contents.Committed(content);
                }
                return;
            }
            // Nothing written (the transaction, if any, is rolled back): a replay, a different result, or no such tool call.
            var stored = await session.QueryRowAsync(ToolCallResult, [toolCallId], ct).ConfigureAwait(false)
                ?? throw new RecordNotFoundException("tool_calls", toolCallId.ToString());
            await Idempotent.ResolveSharedAsync(session, ToolCalls.Name, toolCallId, ToolResultShared, stored, storedOffset: 0, ct).ConfigureAwait(false);
            var differing = Idempotent.Differences(ToolResultColumns, values, stored);
            if (differing.Count > 0)
            {
                throw new InvalidStateTransitionException("tool_calls", toolCallId.ToString(), "completed",
                    $"completed with different {string.Join(", ", differing)}");
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
