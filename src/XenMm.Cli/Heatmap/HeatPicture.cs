using XenMm.Machine;

namespace XenMm.Cli.Heatmap;

/// <summary>
/// The heat map's picture, drawn on any <see cref="IHeatCanvas"/>: one square per cell filled with its category, a
/// ringed dot in the colour of each category too small to fill a cell (with a tooltip), PA labels down the left,
/// offsets across the top, and the legend with page counts.
/// </summary>
internal static class HeatPicture
{
    public const int Cell = 10;
    public const int Left = 110;
    public const int Top = 50;
    public const int LegendWidth = 280;
    public const int TextSize = 10;
    public const string NotRam = "#ffffff";

    /// <summary>The picture's size in the canvas's units.</summary>
    public static (int Width, int Height) Size(HeatGrid grid) =>
        (Left + (HeatGrid.Columns * Cell) + 30 + LegendWidth, Math.Max(Top + (grid.Rows * Cell) + 30, Top + ((grid.Legend.Count() + 3) * 18)));

    public static void Draw(HeatGrid grid, IHeatCanvas canvas)
    {
        var legend = grid.Legend.ToList();
        var (width, height) = Size(grid);
        var cellBytes = grid.CellPages * Addressing.PageSize;
        canvas.Begin(width, height, "#fafafa");
        canvas.Text(Left, 16, $"{grid.Architecture} physical memory, PA [0x{grid.StartMfn << Addressing.PageShift:x}, 0x{grid.EndMfn << Addressing.PageShift:x}), one cell = {ByteSize.Format(cellBytes)} ({grid.CellPages} pages)", 13);

        // Offsets across the top every 16 columns, PA of each row's start down the left every few rows.
        for (var c = 0; c < HeatGrid.Columns; c += 16)
        {
            canvas.Text(Left + (c * Cell), Top - 6, $"+0x{(ulong)c * cellBytes:x}", TextSize);
        }

        var every = Math.Max(1, (int)Math.Ceiling(14.0 / Cell));
        for (var r = 0; r < grid.Rows; r += every)
        {
            var pa = (grid.StartMfn + ((ulong)r * HeatGrid.Columns * grid.CellPages)) << Addressing.PageShift;
            canvas.Text(Left - 6, Top + (r * Cell) + Cell - 1, $"0x{pa:x}", TextSize, alignEnd: true);
        }

        canvas.BeginGroup("cells", crispEdges: true);
        for (var i = 0; i < grid.Cells.Count; i++)
        {
            var (x, y) = CellAt(i);
            canvas.Rect(x, y, Cell, Cell, grid.Cells[i].Fill?.Colour ?? NotRam);
        }

        canvas.EndGroup();
        canvas.BeginGroup("marks");
        for (var i = 0; i < grid.Cells.Count; i++)
        {
            var cell = grid.Cells[i];
            var (x, y) = CellAt(i);
            for (var k = 0; k < cell.Marks.Count; k++)
            {
                var mark = cell.Marks[k];
                var cx = x + (Cell / 2.0) + ((k - ((cell.Marks.Count - 1) / 2.0)) * 4);
                var what = string.Join(", ", cell.Pages.OrderByDescending(p => p.Value).Select(p => $"{p.Key.Name} {p.Value}"));
                canvas.Circle(cx, y + (Cell / 2.0), 3, mark.Colour, "#000000", 1, mark.Name, $"PA 0x{cell.StartMfn << Addressing.PageShift:x}: {what} pages");
            }
        }

        canvas.EndGroup();
        var lx = Left + (HeatGrid.Columns * Cell) + 30;
        canvas.Text(lx, Top - 6, "category (pages)", 11);
        for (var j = 0; j < legend.Count; j++)
        {
            var (category, pages) = legend[j];
            var ly = Top + (j * 18);
            canvas.Rect(lx, ly, 12, 12, category.Colour, "#000000", 0.5, "legend");
            canvas.Text(lx + 18, ly + 10, $"{category.Name} ({pages})", TextSize);
        }

        var noteY = Top + (legend.Count * 18) + 10;
        canvas.Circle(lx + 6, noteY + 6, 3, "#ffffff", "#000000", 1);
        canvas.Text(lx + 18, noteY + 10, "a category too small to fill a cell", TextSize);
        canvas.Rect(lx, noteY + 18, 12, 12, NotRam, "#000000", 0.5);
        canvas.Text(lx + 18, noteY + 28, "not RAM", TextSize);
    }

    /// <summary>The top-left corner of cell <paramref name="index"/>.</summary>
    public static (int X, int Y) CellAt(int index) => (Left + (index % HeatGrid.Columns * Cell), Top + (index / HeatGrid.Columns * Cell));
}
