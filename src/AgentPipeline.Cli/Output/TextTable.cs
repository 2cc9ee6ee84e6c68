using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// A borderless table whose one flexible column (a prompt, a question) is cut to what the others
/// leave of the console width, so every row stays on one line of at most <see cref="CliConsole.MaxWidth"/>.
/// </summary>
internal sealed class TextTable
{
    private const int Gap = 2;
    private const int MinimumFlexible = 12;

    private readonly List<(string Header, bool Right, bool Flexible)> _columns = [];
    private readonly List<TextCell[]> _rows = [];

    public TextTable Column(string header, bool right = false)
    {
        _columns.Add((header, right, false));
        return this;
    }

    /// <summary>The column that gives way; there is at most one.</summary>
    public TextTable Flexible(string header)
    {
        _columns.Add((header, false, true));
        return this;
    }

    /// <param name="cells">One per column: plain text (not markup), optionally styled.</param>
    public TextTable Row(params TextCell[] cells)
    {
        if (cells.Length != _columns.Count)
        {
            throw new ArgumentException($"Expected {_columns.Count} cells, got {cells.Length}.", nameof(cells));
        }
        _rows.Add(cells);
        return this;
    }

    public int RowCount => _rows.Count;

    public void Render(IAnsiConsole console)
    {
        var width = Math.Min(console.Profile.Width, CliConsole.MaxWidth);
        var widths = _columns.Select((c, i) => _rows.Select(r => r[i].Text.Length).Append(c.Header.Length).Max()).ToArray();
        var flexible = _columns.FindIndex(c => c.Flexible);
        if (flexible >= 0)
        {
            var others = widths.Where((_, i) => i != flexible).Sum() + Gap * (_columns.Count - 1);
            widths[flexible] = Math.Max(MinimumFlexible, Math.Min(widths[flexible], width - others));
        }
        console.MarkupLine(Line(_columns.Select(c => new TextCell(c.Header, "bold")).ToArray(), widths, flexible));
        foreach (var cells in _rows)
        {
            console.MarkupLine(Line(cells, widths, flexible));
        }
    }

    /// <summary>
    /// One row as markup: cells padded to their column, two spaces apart, nothing trailing (the
    /// rows are written by hand rather than with a Spectre table, which pads every line to its width).
    /// </summary>
    private string Line(TextCell[] cells, int[] widths, int flexible)
    {
        var line = new System.Text.StringBuilder();
        var pending = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            var text = i == flexible ? Format.OneLine(cells[i].Text, widths[i]) : cells[i].Text;
            var pad = Math.Max(0, widths[i] - text.Length);
            var (before, after) = _columns[i].Right ? (pad, 0) : (0, pad);
            line.Append(' ', pending + before);
            line.Append(cells[i].Style is { } style ? $"[{style}]{Markup.Escape(text)}[/]" : Markup.Escape(text));
            pending = after + (i < cells.Length - 1 ? Gap : 0);
        }
        return line.ToString();
    }
}
