using Spectre.Console;

namespace AgentPipeline.Cli.Output;

/// <summary>
/// A borderless table whose one flexible column (a prompt, a question) is cut to what the others
/// leave of the console width, so every row stays on one line of at most <see cref="CliConsole.MaxWidth"/>.
/// In a narrow console, columns marked droppable are left out (the lowest rank first) until the
/// row fits, rather than letting the terminal wrap it.
/// </summary>
internal sealed class TextTable
{
    private const int Gap = 2;
    private const int MinimumFlexible = 12;

    private readonly List<(string Header, bool Right, bool Flexible, int? Drop)> _columns = [];
    private readonly List<TextCell[]> _rows = [];

    /// <param name="header">The column's title.</param>
    /// <param name="right">Right-aligned (numbers).</param>
    /// <param name="drop">
    /// When set, the column is left out of a console too narrow for all of them; columns with a
    /// lower rank go first. Null: always shown.
    /// </param>
    public TextTable Column(string header, bool right = false, int? drop = null)
    {
        _columns.Add((header, right, false, drop));
        return this;
    }

    /// <summary>The column that gives way; there is at most one.</summary>
    public TextTable Flexible(string header)
    {
        _columns.Add((header, false, true, null));
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
        var natural = _columns.Select((c, i) => _rows.Select(r => r[i].Text.Length).Append(c.Header.Length).Max()).ToArray();
        var shown = Enumerable.Range(0, _columns.Count).ToList();
        int Needed() => shown.Sum(i => _columns[i].Flexible ? Math.Min(natural[i], MinimumFlexible) : natural[i]) + Gap * (shown.Count - 1);
        while (Needed() > width && shown.Where(i => _columns[i].Drop is not null).OrderBy(i => _columns[i].Drop).FirstOrDefault(-1) is var drop and >= 0)
        {
            shown.Remove(drop);
        }
        var widths = shown.Select(i => natural[i]).ToArray();
        var flexible = shown.FindIndex(i => _columns[i].Flexible);
        if (flexible >= 0)
        {
            var others = widths.Where((_, i) => i != flexible).Sum() + Gap * (shown.Count - 1);
            widths[flexible] = Math.Max(Math.Min(natural[shown[flexible]], MinimumFlexible), Math.Min(widths[flexible], width - others));
        }
        var columns = shown.Select(i => _columns[i]).ToArray();
        console.MarkupLine(Line(columns, shown.Select(i => new TextCell(_columns[i].Header, "bold")).ToArray(), widths, flexible));
        foreach (var cells in _rows)
        {
            console.MarkupLine(Line(columns, shown.Select(i => cells[i]).ToArray(), widths, flexible));
        }
    }

    /// <summary>
    /// One row as markup: cells padded to their column, two spaces apart, nothing trailing (the
    /// rows are written by hand rather than with a Spectre table, which pads every line to its width).
    /// </summary>
    private static string Line((string Header, bool Right, bool Flexible, int? Drop)[] columns, TextCell[] cells, int[] widths, int flexible)
    {
        var line = new System.Text.StringBuilder();
        var pending = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            var text = i == flexible ? Format.OneLine(cells[i].Text, widths[i]) : cells[i].Text;
            var pad = Math.Max(0, widths[i] - text.Length);
            var (before, after) = columns[i].Right ? (pad, 0) : (0, pad);
            line.Append(' ', pending + before);
            line.Append(cells[i].Style is { } style ? $"[{style}]{Markup.Escape(text)}[/]" : Markup.Escape(text));
            pending = after + (i < cells.Length - 1 ? Gap : 0);
        }
        return line.ToString();
    }
}
