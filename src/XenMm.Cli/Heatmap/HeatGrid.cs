using XenMm.Machine;

namespace XenMm.Cli.Heatmap;

/// <summary>One cell of the heat map: its first page and how many pages of each category it holds.</summary>
internal sealed class HeatCell(ulong startMfn)
{
    public ulong StartMfn { get; } = startMfn;

    public Dictionary<HeatCategory, ulong> Pages { get; } = [];

    /// <summary>The category that fills the cell (the most pages; not RAM when empty).</summary>
    public HeatCategory? Fill { get; set; }

    /// <summary>Categories too small to fill any cell of the map, present here: drawn as marks.</summary>
    public List<HeatCategory> Marks { get; } = [];
}

/// <summary>
/// Physical memory cut into cells of a fixed number of pages from the lowest bank's start, each holding the census
/// pages that fall in it. A category that fills no cell anywhere is marked in every cell that holds it.
/// </summary>
internal sealed class HeatGrid
{
    public const int Columns = 64;
    private const int TargetCells = 4096;

    private readonly Dictionary<int, HeatCategory> _domains = [];

    private HeatGrid(XenMachine m, ulong cellPages)
    {
        Architecture = m.Architecture.Name;
        StartMfn = m.Memory.Banks.Min(b => b.StartMfn.Value);
        EndMfn = m.Memory.Banks.Max(b => b.End) >> Addressing.PageShift;
        CellPages = cellPages;
        var count = (EndMfn - StartMfn + cellPages - 1) / cellPages;
        Cells = [.. Enumerable.Range(0, (int)count).Select(i => new HeatCell(StartMfn + ((ulong)i * cellPages)))];
        var census = m.Census();
        Totals = [];
        var xenheap = m.HeapModel.XenheapRange;
        var chunks = FreeChunks.Of(m.Heap);
        var next = 0;
        foreach (var span in census.Spans)
        {
            if (span.Use == PageUse.Domain)
            {
                for (var mfn = span.Start.Value; mfn < span.End.Value; mfn++)
                {
                    Add(mfn, 1, Domain(m.FrameTable.Get(new Mfn(mfn)).OwnerId ?? 0));
                }
            }
            else if (span.Use == PageUse.Free)
            {
                // The census's free pages are the free chunks' pages: colour each by its chunk's order.
                while (next < chunks.Count && chunks[next].End <= span.Start.Value)
                {
                    next++;
                }

                for (var i = next; i < chunks.Count && chunks[i].Start < span.End.Value; i++)
                {
                    var (s, e) = (Math.Max(chunks[i].Start, span.Start.Value), Math.Min(chunks[i].End, span.End.Value));
                    AddFree(s, e, HeatPalette.Free(chunks[i].Order), xenheap);
                }
            }
            else
            {
                Add(span.Start.Value, span.Pages, HeatPalette.Of(span.Use));
            }
        }

        foreach (var cell in Cells)
        {
            cell.Fill = cell.Pages.Count == 0 ? null : cell.Pages.MaxBy(p => p.Value).Key;
        }

        var filling = Cells.Select(c => c.Fill).OfType<HeatCategory>().ToHashSet();
        foreach (var cell in Cells)
        {
            cell.Marks.AddRange(cell.Pages.Keys.Where(k => !filling.Contains(k)).OrderBy(k => k.Name, StringComparer.Ordinal));
        }
    }

    public string Architecture { get; }

    public ulong StartMfn { get; }

    public ulong EndMfn { get; }

    public ulong CellPages { get; }

    public IReadOnlyList<HeatCell> Cells { get; }

    /// <summary>Pages per category over the whole map, in the order categories first appear.</summary>
    public Dictionary<HeatCategory, ulong> Totals { get; }

    /// <summary>The categories on the map in the legend's order (<see cref="HeatPalette.LegendOrder"/>), each with its pages.</summary>
    public IEnumerable<(HeatCategory Category, ulong Pages)> Legend =>
        HeatPalette.LegendOrder(_domains.OrderBy(d => d.Key).Select(d => d.Value))
            .Where(Totals.ContainsKey)
            .Select(c => (c, Totals[c]));

    public int Rows => (Cells.Count + Columns - 1) / Columns;

    /// <summary>The grid of <paramref name="m"/>; <paramref name="cellBytes"/> null picks a power of two near 4096 cells.</summary>
    /// <exception cref="XenMmException">A cell size that is not a whole number of pages, named.</exception>
    public static HeatGrid Of(XenMachine m, ulong? cellBytes)
    {
        ulong cellPages;
        if (cellBytes is { } bytes)
        {
            if (bytes == 0 || bytes % Addressing.PageSize != 0)
            {
                throw new XenMmException(MmError.InvalidArgument, $"--cell: {bytes} bytes is not a whole number of 4 KiB pages.");
            }

            cellPages = bytes / Addressing.PageSize;
        }
        else
        {
            var span = (m.Memory.Banks.Max(b => b.End) - m.Memory.Banks.Min(b => b.Start.Value)) >> Addressing.PageShift;
            cellPages = Math.Max(1UL, System.Numerics.BitOperations.RoundUpToPowerOf2((span + TargetCells - 1) / TargetCells));
        }

        if ((m.Memory.Banks.Max(b => b.End) - m.Memory.Banks.Min(b => b.Start.Value)) / (cellPages * Addressing.PageSize) > 1 << 20)
        {
            throw new XenMmException(MmError.InvalidArgument, $"--cell: {ByteSize.Format(cellPages * Addressing.PageSize)} cells would make more than a million of them.");
        }

        return new HeatGrid(m, cellPages);
    }

    private HeatCategory Domain(int id)
    {
        if (!_domains.TryGetValue(id, out var category))
        {
            category = HeatPalette.Domain(id, _domains.Count);
            _domains[id] = category;
        }

        return category;
    }

    // The split model's xenheap is a zone of free pages of its own: draw it apart from the domheap's.
    private void AddFree(ulong s, ulong e, HeatCategory free, MfnRange? xenheap)
    {
        if (xenheap is not { } xh)
        {
            Add(s, e - s, free);
            return;
        }

        var (xs, xe) = (Math.Clamp(xh.Start.Value, s, e), Math.Clamp(xh.End.Value, s, e));
        Add(s, xs - s, free);
        Add(xs, xe - xs, HeatPalette.XenheapFree);
        Add(xe, e - xe, free);
    }

    private void Add(ulong mfn, ulong pages, HeatCategory category)
    {
        if (pages == 0)
        {
            return;
        }

        Totals[category] = Totals.GetValueOrDefault(category) + pages;
        while (pages != 0)
        {
            var cell = Cells[(int)((mfn - StartMfn) / CellPages)];
            var here = Math.Min(pages, cell.StartMfn + CellPages - mfn);
            cell.Pages[category] = cell.Pages.GetValueOrDefault(category) + here;
            mfn += here;
            pages -= here;
        }
    }
}
