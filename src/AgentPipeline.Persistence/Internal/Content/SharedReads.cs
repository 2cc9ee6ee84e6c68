using System.Text;
using System.Text.Json;

namespace AgentPipeline.Persistence.Internal.Content;

/// <summary>
/// The read side of shared storage: values read in their shared form are collected
/// (<see cref="Need(string?)"/>), the run's pieces they name are read in one or two statements
/// (<see cref="LoadAsync"/>), and each value is then given back exactly as the caller wrote it
/// (<see cref="Json"/>, <see cref="Text"/>). A value not in the shared form (a small one, or one
/// stored before shared storage existed) passes through unchanged.
/// </summary>
internal sealed class SharedReads
{
    private static readonly Param[] Results = [new("hash", Col.Text), new("body", Col.Text)];

    private static readonly Sql WholeRun = new("SELECT hash, body FROM {s}.run_contents WHERE run_id = @run_id", [new("run_id", Col.Guid)], Results);

    private static readonly Sql SqliteByHash = new(
        "SELECT hash, body FROM {s}.run_contents WHERE run_id = @run_id AND hash IN (SELECT value FROM json_each(@hashes))",
        [new("run_id", Col.Guid), new("hashes", Col.Text)], Results);

    private static readonly Sql PostgreSqlByHash = new(
        "SELECT hash, body FROM {s}.run_contents WHERE run_id = @run_id AND hash IN (SELECT json_array_elements_text(CAST(@hashes AS json)))",
        [new("run_id", Col.Guid), new("hashes", Col.Text)], Results);

    private readonly Dictionary<string, string[]?> _forms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _bodies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _blocks = new(StringComparer.Ordinal);

    public bool Any => _forms.Count > 0;

    public void Need(string? value)
    {
        if (SharedForm.IsShared(value))
        {
            _forms.TryAdd(value!, null);
        }
    }

    public void Need(JsonElement? value)
    {
        if (SharedForm.IsShared(value))
        {
            _forms.TryAdd(value!.Value.GetRawText(), null);
        }
    }

    /// <summary>Reads the pieces the collected values name: all of the run's at once (<paramref name="wholeRun"/>, for a tree), else blocks then pieces by hash.</summary>
    public async Task LoadAsync(Session session, Guid runId, bool wholeRun, CancellationToken cancellationToken)
    {
        if (_forms.Count == 0)
        {
            return;
        }
        foreach (var form in _forms.Keys.ToList())
        {
            _forms[form] = Parts(form);
        }
        if (wholeRun)
        {
            await FetchAsync(session, WholeRun, [runId], cancellationToken).ConfigureAwait(false);
            return;
        }
        var blocks = Refs(_forms.Values.SelectMany(p => p!), '@');
        if (blocks.Count > 0)
        {
            await FetchAsync(session, runId, blocks, cancellationToken).ConfigureAwait(false);
        }
        var pieces = Refs(_forms.Values.SelectMany(p => p!).Concat(blocks.SelectMany(b => Block(b))), '#');
        if (pieces.Count > 0)
        {
            await FetchAsync(session, runId, pieces, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A JSON column's value as the caller wrote it.</summary>
    public JsonElement? Json(JsonElement? value) => SharedForm.IsShared(value) ? DbJson.Parse(Assemble(value!.Value.GetRawText())) : value;

    /// <summary>A text column's value as the caller wrote it.</summary>
    public string? Text(string? value) => SharedForm.IsShared(value) ? DbText.Decode(Assemble(value!)) : value;

    /// <summary>A value read as a row's stored column (<see cref="Dialect.FromDb"/>) resolved the same way.</summary>
    public object? Value(object? value) => value switch
    {
        JsonElement json => Json(json),
        string text => Text(text),
        _ => value,
    };

    private List<string> Refs(IEnumerable<string> parts, char kind) =>
        [.. parts.Where(p => p.Length > 0 && p[0] == kind).Select(p => p[1..]).Distinct(StringComparer.Ordinal).Where(h => !_bodies.ContainsKey(h))];

    private Task FetchAsync(Session session, Guid runId, List<string> hashes, CancellationToken cancellationToken)
    {
        var sql = session.DialectKind == PipelineProvider.PostgreSql ? PostgreSqlByHash : SqliteByHash;
        return FetchAsync(session, sql, [runId, JsonSerializer.Serialize(hashes)], cancellationToken);
    }

    private async Task FetchAsync(Session session, Sql sql, object?[] args, CancellationToken cancellationToken)
    {
        var rows = await session.ReadAsync(sql, args, r => (Hash: r.Text(0), Body: r.StoredUtf8(1)), cancellationToken).ConfigureAwait(false);
        foreach (var (hash, body) in rows)
        {
            _bodies[hash] = body;
        }
    }

    private static string[] Parts(string form)
    {
        using var document = JsonDocument.Parse(form);
        return [.. document.RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetString()!)];
    }

    private string[] Block(string hash)
    {
        if (!_blocks.TryGetValue(hash, out var parts))
        {
            using var document = JsonDocument.Parse(Body(hash));
            _blocks[hash] = parts = [.. document.RootElement.EnumerateArray().Select(p => p.GetString()!)];
        }
        return parts;
    }

    private byte[] Body(string hash) => _bodies.TryGetValue(hash, out var body) ? body
        : throw new InvalidDataException($"The stored content {hash} a shared value refers to is missing from run_contents.");

    /// <summary>The value's stored text (UTF-8): its parts in order, blocks expanded.</summary>
    private byte[] Assemble(string form)
    {
        var parts = _forms[form] ?? Parts(form);
        if (parts is [['#', ..] single])
        {
            return Body(single[1..]); // one piece: its body is the text
        }
        var length = 0L;
        Walk(parts, (literal, body) => length += literal is null ? body!.Length : Encoding.UTF8.GetByteCount(literal));
        var result = new byte[length];
        var at = 0;
        Walk(parts, (literal, body) =>
        {
            if (literal is null)
            {
                body!.CopyTo(result, at);
                at += body.Length;
            }
            else
            {
                at += Encoding.UTF8.GetBytes(literal, result.AsSpan(at));
            }
        });
        return result;
    }

    private void Walk(string[] parts, Action<string?, byte[]?> visit)
    {
        foreach (var part in parts)
        {
            switch (part[0])
            {
                case '=':
                    visit(part[1..], null);
                    break;
                case '#':
                    visit(null, Body(part[1..]));
                    break;
                case '@':
                    foreach (var inner in Block(part[1..]))
                    {
                        if (inner[0] == '=')
                        {
                            visit(inner[1..], null);
                        }
                        else
                        {
                            visit(null, Body(inner[1..]));
                        }
                    }
                    break;
                default:
                    throw new InvalidDataException($"'{part[0]}' does not start a part of a shared value.");
            }
        }
    }
}
