using System.Globalization;
using System.Text;

namespace AgentPipeline.Persistence.Benchmarks.Storage;

/// <summary>
/// The texts a coding agent's conversation is made of, generated from a seeded <see cref="Random"/>
/// so that the same seed gives the same bytes: instructions prose, source files as a read tool
/// prints them (numbered lines), grep output, test logs, file listings, edit results, and base64
/// images (random bytes behind a PNG signature, as incompressible as a real screenshot). The
/// building blocks are repeated identifiers, keywords and log lines, so the texts compress about
/// as well as real code and logs do (lz4 and pglz see repeated phrases, not random letters).
/// </summary>
internal static class LoopText
{
    private static readonly string[] Words =
    [
        "the", "order", "export", "query", "filter", "customer", "page", "test", "file", "change", "reuse", "stream", "rows", "writer",
        "service", "handler", "request", "response", "value", "column", "table", "index", "cache", "result", "error", "check", "call",
        "before", "after", "each", "every", "only", "when", "then", "keep", "make", "sure", "that", "this", "with", "from", "into",
        "public", "API", "shape", "schema", "field", "name", "path", "line", "step", "tool", "agent", "user", "approach", "plan",
        "small", "large", "first", "last", "new", "old", "same", "other", "run", "build", "pass", "fail", "report", "summary",
        "function", "method", "class", "module", "component", "hook", "state", "props", "type", "interface", "async", "await",
        "database", "transaction", "commit", "migration", "endpoint", "controller", "view", "model", "format", "header", "encoding",
    ];

    private static readonly string[] Identifiers =
    [
        "order", "orders", "customer", "invoice", "lineItem", "filter", "query", "exporter", "writer", "csvRow", "total", "currency",
        "page", "pageSize", "cursor", "status", "createdAt", "repository", "logger", "options", "result", "request", "response",
        "stream", "encoder", "header", "column", "cell", "buffer", "token", "context", "service", "handler", "mapper", "validator",
    ];

    private static readonly string[] Types =
    [
        "Order", "OrderQuery", "OrderFilter", "CsvWriter", "ExportResult", "Customer", "Invoice", "LineItem", "Money", "PageResult",
        "IOrderRepository", "ILogger<OrderExportService>", "ExportOptions", "Stream", "string", "int", "bool", "DateTimeOffset",
    ];

    public static readonly string[] Folders =
    [
        "src/Orders", "src/Orders/Export", "src/Shared", "src/Shared/Csv", "src/Customers", "src/Api/Controllers", "src/Data",
        "src/Data/Migrations", "tests/Orders.Tests", "tests/Orders.Tests/Export", "web/src/orders", "web/src/shared/components",
    ];

    private static readonly string[] FileStems =
    [
        "OrderExportService", "OrdersController", "OrderQuery", "CsvWriter", "ExportButton", "OrdersPage", "useOrders", "OrderFilter",
        "OrderRepository", "MoneyFormatter", "CustomerService", "ExportOptions", "OrderExportTests", "CsvWriterTests", "Startup",
    ];

    public static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    /// <summary>A whole number between <paramref name="min"/> and <paramref name="max"/>, log-uniform (many small, a few large), as tool output sizes are.</summary>
    public static int LogUniform(Random random, int min, int max) =>
        (int)Math.Round(Math.Exp(Math.Log(min) + random.NextDouble() * (Math.Log(max) - Math.Log(min))));

    public static string FilePath(Random random)
    {
        var folder = Pick(random, Folders);
        var extension = folder.StartsWith("web/", StringComparison.Ordinal) ? ".tsx" : ".cs";
        return $"{folder}/{Pick(random, FileStems)}{extension}";
    }

    public static string Sentence(Random random)
    {
        var count = random.Next(8, 22);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var word = Pick(random, Words);
            if (i == 0)
            {
                word = char.ToUpperInvariant(word[0]) + word[1..];
            }
            text.Append(word).Append(i == count - 1 ? "." : random.Next(9) == 0 ? ", " : " ");
        }
        return text.ToString();
    }

    /// <summary>Prose of about <paramref name="bytes"/> characters, in paragraphs.</summary>
    public static string Prose(Random random, int bytes)
    {
        var text = new StringBuilder(bytes + 200);
        while (text.Length < bytes)
        {
            text.Append(Sentence(random));
            text.Append(random.Next(5) == 0 ? "\n\n" : " ");
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>One line of C#-like code at the given indentation.</summary>
    public static string CodeLine(Random random)
    {
        var id = Pick(random, Identifiers);
        var other = Pick(random, Identifiers);
        var type = Pick(random, Types);
        var member = char.ToUpperInvariant(other[0]) + other[1..];
        return random.Next(12) switch
        {
            0 => $"    public async Task<{type}> {member}Async({type} {id}, CancellationToken cancellationToken)",
            1 => $"        var {id} = await _{other}.{member}Async({id}, cancellationToken);",
            2 => $"        if ({id} is null) throw new ArgumentNullException(nameof({id}));",
            3 => "    }",
            4 => "    {",
            5 => $"        // {Sentence(random)}",
            6 => $"        return new {type}({id}, {other});",
            7 => $"        foreach (var {id} in {other}s.Where(x => x.{member} != null))",
            8 => $"        _logger.LogInformation(\"{member} for {{{id}}} took {{Elapsed}} ms\", {id}, watch.ElapsedMilliseconds);",
            9 => $"    private readonly {type} _{id};",
            10 => "",
            _ => $"        {id}.{member} = {other}?.{member} ?? {type}.Empty;",
        };
    }

    public static string Code(Random random, int lines) =>
        "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\n\nnamespace Shop.Orders.Export;\n\n" + Lines(random, lines);

    public static string Lines(Random random, int lines)
    {
        var text = new StringBuilder(lines * 60);
        for (var i = 0; i < lines; i++)
        {
            text.Append(CodeLine(random)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A file as a read tool returns it: each line behind its number (as Claude Code's Read tool prints it).</summary>
    public static string ReadOutput(Random random, int bytes, int offset)
    {
        var text = new StringBuilder(bytes + 100);
        var line = offset + 1;
        while (text.Length < bytes)
        {
            text.Append(line.ToString(CultureInfo.InvariantCulture).PadLeft(6)).Append('\u2192').Append(CodeLine(random)).Append('\n');
            line++;
        }
        return text.ToString();
    }

    public static string GrepOutput(Random random, int bytes, string pattern)
    {
        var text = new StringBuilder(bytes + 100);
        while (text.Length < bytes)
        {
            text.Append(FilePath(random)).Append(':').Append(random.Next(1, 900).ToString(CultureInfo.InvariantCulture)).Append(':')
                .Append(CodeLine(random).Replace("Async", pattern, StringComparison.Ordinal)).Append('\n');
        }
        return text.ToString();
    }

    public static string TestLog(Random random, int bytes)
    {
        var text = new StringBuilder(bytes + 400);
        text.Append("  Determining projects to restore...\n  All projects are up-to-date for restore.\n");
        text.Append("  Shop.Orders -> /repo/src/Orders/bin/Debug/net10.0/Shop.Orders.dll\n");
        text.Append("  Shop.Orders.Tests -> /repo/tests/Orders.Tests/bin/Debug/net10.0/Shop.Orders.Tests.dll\n");
        text.Append("Test run for /repo/tests/Orders.Tests/bin/Debug/net10.0/Shop.Orders.Tests.dll (.NETCoreApp,Version=v10.0)\n");
        var failed = 0;
        var passed = 0;
        while (text.Length < bytes - 300)
        {
            var test = $"Shop.Orders.Tests.{Pick(random, FileStems)}Tests.{char.ToUpperInvariant(Pick(random, Identifiers)[0])}{Pick(random, Identifiers)[1..]}_{Pick(random, Words)}_{Pick(random, Words)}";
            if (random.Next(25) == 0)
            {
                failed++;
                text.Append("  Failed ").Append(test).Append(" [").Append(random.Next(1, 400).ToString(CultureInfo.InvariantCulture)).Append(" ms]\n");
                text.Append("  Error Message:\n   Assert.Equal() Failure: Values differ\nExpected: ").Append(random.Next(100).ToString(CultureInfo.InvariantCulture))
                    .Append("\nActual:   ").Append(random.Next(100).ToString(CultureInfo.InvariantCulture)).Append("\n  Stack Trace:\n");
                for (var f = 0; f < 4; f++)
                {
                    text.Append("     at ").Append(test).Append("() in /repo/").Append(FilePath(random)).Append(":line ")
                        .Append(random.Next(1, 500).ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
            else
            {
                passed++;
                text.Append("  Passed ").Append(test).Append(" [").Append(random.Next(1, 90).ToString(CultureInfo.InvariantCulture)).Append(" ms]\n");
            }
        }
        text.Append(failed > 0 ? "Failed!" : "Passed!").Append("  - Failed:     ").Append(failed.ToString(CultureInfo.InvariantCulture))
            .Append(", Passed:   ").Append(passed.ToString(CultureInfo.InvariantCulture)).Append(", Skipped:     0, Total:   ")
            .Append((failed + passed).ToString(CultureInfo.InvariantCulture)).Append(", Duration: ")
            .Append(random.Next(1, 30).ToString(CultureInfo.InvariantCulture)).Append(" s - Shop.Orders.Tests.dll (net10.0)\n");
        return text.ToString();
    }

    public static string Listing(Random random, int bytes)
    {
        var text = new StringBuilder(bytes + 100);
        while (text.Length < bytes)
        {
            text.Append("/repo/").Append(FilePath(random)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>What an edit tool says: the file updated, then a numbered snippet of the result.</summary>
    public static string EditOutput(Random random, string path, int lines)
    {
        var offset = random.Next(1, 400);
        return $"The file {path} has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n"
            + ReadOutput(random, lines * 50, offset);
    }

    /// <summary>A PNG's base64 of <paramref name="base64Length"/> characters: the signature, then random (incompressible) bytes.</summary>
    public static string PngBase64(Random random, int base64Length)
    {
        var bytes = new byte[base64Length / 4 * 3];
        random.NextBytes(bytes);
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(bytes);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>An id of <paramref name="length"/> letters and digits, as provider ids look (<c>call_…</c>, <c>chatcmpl-…</c>).</summary>
    public static string Id(Random random, int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
