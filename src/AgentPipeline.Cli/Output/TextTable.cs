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
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        for (var i = 0; i < _columns.Count; i++)
        {
            var (header, right, _) = _columns[i];
            var column = new TableColumn(new Text(header, new Style(decoration: Decoration.Bold)))
            {
                NoWrap = true,
                Width = widths[i],
                Padding = new Padding(0, 0, i == _columns.Count - 1 ? 0 : Gap, 0),
                Alignment = right ? Justify.Right : Justify.Left,
            };
            table.AddColumn(column);
        }
        foreach (var cells in _rows)
        {
            table.AddRow(cells.Select((cell, i) => (Spectre.Console.Rendering.IRenderable)new Text(
                i == flexible ? Format.OneLine(cell.Text, widths[i]) : cell.Text,
                cell.Style is null ? Style.Plain : Style.Parse(cell.Style))).ToArray());
        }
        console.Write(table);
    }
}
