using System.Globalization;
using Spectre.Console;

namespace XenMm.Cli.Output;

/// <summary>Spectre tables of plain values: headers and cells are text, never markup (MFN ranges have brackets).</summary>
internal static class Tables
{
    /// <summary>A table with these columns; a header that starts with <c>&gt;</c> is a right-aligned (numeric) column.</summary>
    public static Table New(params string[] headers)
    {
        var table = new Table();
        foreach (var h in headers)
        {
            var right = h.StartsWith('>');
            var column = new TableColumn(new Text(right ? h[1..] : h, new Style(decoration: Decoration.Bold)));
            table.AddColumn(right ? column.RightAligned() : column);
        }

        return table;
    }

    /// <summary>Adds a row of values, each formatted with the invariant culture.</summary>
    public static Table Row(this Table table, params object?[] cells)
    {
        table.AddRow(cells.Select(c => new Text(Convert.ToString(c, CultureInfo.InvariantCulture) ?? "")).ToArray());
        return table;
    }
}
