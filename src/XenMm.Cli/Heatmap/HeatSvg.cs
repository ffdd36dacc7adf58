using System.Globalization;
using System.Security;
using System.Text;
using XenMm.Machine;

namespace XenMm.Cli.Heatmap;

/// <summary>
/// Writes a <see cref="HeatGrid"/> as SVG by hand: one square per cell filled with its category, a ringed dot in the
/// colour of each category too small to fill a cell (<c>class="mark"</c>, with a tooltip), PA labels down the left,
/// offsets across the top, and the legend with page counts.
/// </summary>
internal static class HeatSvg
{
    private const int Cell = 10;
    private const int Left = 110;
    private const int Top = 50;
    private const int LegendWidth = 280;
    private const string NotRam = "#ffffff";

    public static string Write(HeatGrid grid)
    {
        var gridWidth = HeatGrid.Columns * Cell;
        var legend = grid.Legend.ToList();
        var height = Math.Max(Top + (grid.Rows * Cell) + 30, Top + ((legend.Count + 3) * 18));
        var width = Left + gridWidth + 30 + LegendWidth;
        var cellBytes = grid.CellPages * Addressing.PageSize;
        var svg = new StringBuilder();
        Line(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"10\">");
        Line(svg, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#fafafa\"/>");
        Line(svg, $"<text x=\"{Left}\" y=\"16\" font-size=\"13\">{Esc(grid.Architecture)} physical memory, PA [0x{grid.StartMfn << Addressing.PageShift:x}, 0x{grid.EndMfn << Addressing.PageShift:x}), one cell = {Esc(ByteSize.Format(cellBytes))} ({grid.CellPages} pages)</text>");

        // Offsets across the top every 16 columns, PA of each row's start down the left every few rows.
        for (var c = 0; c < HeatGrid.Columns; c += 16)
        {
            Line(svg, $"<text x=\"{Left + (c * Cell)}\" y=\"{Top - 6}\">+0x{(ulong)c * cellBytes:x}</text>");
        }

        var every = Math.Max(1, (int)Math.Ceiling(14.0 / Cell));
        for (var r = 0; r < grid.Rows; r += every)
        {
            var pa = (grid.StartMfn + ((ulong)r * HeatGrid.Columns * grid.CellPages)) << Addressing.PageShift;
            Line(svg, $"<text x=\"{Left - 6}\" y=\"{Top + (r * Cell) + Cell - 1}\" text-anchor=\"end\">0x{pa:x}</text>");
        }

        Line(svg, "<g class=\"cells\" shape-rendering=\"crispEdges\">");
        for (var i = 0; i < grid.Cells.Count; i++)
        {
            var (x, y) = (Left + (i % HeatGrid.Columns * Cell), Top + (i / HeatGrid.Columns * Cell));
            Line(svg, $"<rect x=\"{x}\" y=\"{y}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{grid.Cells[i].Fill?.Colour ?? NotRam}\"/>");
        }

        Line(svg, "</g>");
        Line(svg, "<g class=\"marks\">");
        for (var i = 0; i < grid.Cells.Count; i++)
        {
            var cell = grid.Cells[i];
            for (var k = 0; k < cell.Marks.Count; k++)
            {
                var mark = cell.Marks[k];
                var cx = Left + (i % HeatGrid.Columns * Cell) + (Cell / 2.0) + ((k - ((cell.Marks.Count - 1) / 2.0)) * 4);
                var cy = Top + (i / HeatGrid.Columns * Cell) + (Cell / 2.0);
                var what = string.Join(", ", cell.Pages.OrderByDescending(p => p.Value).Select(p => $"{p.Key.Name} {p.Value}"));
                Line(svg, $"<circle class=\"mark\" data-category=\"{Esc(mark.Name)}\" cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"3\" fill=\"{mark.Colour}\" stroke=\"#000000\" stroke-width=\"1\">" +
                    $"<title>PA 0x{cell.StartMfn << Addressing.PageShift:x}: {Esc(what)} pages</title></circle>");
            }
        }

        Line(svg, "</g>");
        var lx = Left + gridWidth + 30;
        Line(svg, $"<text x=\"{lx}\" y=\"{Top - 6}\" font-size=\"11\">category (pages)</text>");
        for (var j = 0; j < legend.Count; j++)
        {
            var (category, pages) = legend[j];
            var ly = Top + (j * 18);
            Line(svg, $"<rect class=\"legend\" x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{category.Colour}\" stroke=\"#000000\" stroke-width=\"0.5\"/>");
            Line(svg, $"<text x=\"{lx + 18}\" y=\"{ly + 10}\">{Esc(category.Name)} ({pages})</text>");
        }

        var noteY = Top + (legend.Count * 18) + 10;
        Line(svg, $"<circle cx=\"{lx + 6}\" cy=\"{noteY + 6}\" r=\"3\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1\"/>");
        Line(svg, $"<text x=\"{lx + 18}\" y=\"{noteY + 10}\">a category too small to fill a cell</text>");
        Line(svg, $"<rect x=\"{lx}\" y=\"{noteY + 18}\" width=\"12\" height=\"12\" fill=\"{NotRam}\" stroke=\"#000000\" stroke-width=\"0.5\"/>");
        Line(svg, $"<text x=\"{lx + 18}\" y=\"{noteY + 28}\">not RAM</text>");
        Line(svg, "</svg>");
        return svg.ToString();
    }

    private static void Line(StringBuilder svg, string text) => svg.Append(text).Append('\n');

    private static string Esc(string text) => SecurityElement.Escape(text);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
