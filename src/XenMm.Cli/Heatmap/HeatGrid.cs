using XenMm.Machine;

namespace XenMm.Cli.Heatmap;

/// <summary>A colour category of the heat map: a census category, split where the picture needs more (xenheap free, each domain).</summary>
internal sealed record HeatCategory(string Name, string Colour);

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

    private static readonly string[] DomainColours = ["#fb8c00", "#f06292", "#c0ca33", "#8e24aa", "#ff7043", "#26c6da"];
    private static readonly Dictionary<PageUse, HeatCategory> ByUse = new()
    {
        [PageUse.Free] = new("free (domheap)", "#dcedc8"),
        [PageUse.Xenheap] = new("xenheap, in use", "#0277bd"),
        [PageUse.Buffer] = new("buffer page", "#e53935"),
        [PageUse.Anonymous] = new("domheap, no owner", "#fdd835"),
        [PageUse.PageTable] = new("page table", "#2e7d32"),
        [PageUse.Vmap] = new("vmap", "#00897b"),
        [PageUse.FrameTable] = new("frame table", "#5d4037"),
        [PageUse.BootStructure] = new("boot structure", "#bcaaa4"),
        [PageUse.Module] = new("module", "#424242"),
        [PageUse.Reserved] = new("reserved", "#9e9e9e"),
        [PageUse.BadPage] = new("bad page", "#000000"),
    };

    /// <summary>Free pages inside a split model's xenheap range.</summary>
    public static readonly HeatCategory XenheapFree = new("xenheap, free", "#b3e5fc");

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
        foreach (var span in census.Spans)
        {
            if (span.Use == PageUse.Domain)
            {
                for (var mfn = span.Start.Value; mfn < span.End.Value; mfn++)
                {
                    Add(mfn, 1, Domain(m.FrameTable.Get(new Mfn(mfn)).OwnerId ?? 0));
                }
            }
            else if (span.Use == PageUse.Free && xenheap is { } xh)
            {
                // The split model's xenheap is a zone of free pages of its own: draw it apart from the domheap's.
                var (s, e) = (span.Start.Value, span.End.Value);
                var (xs, xe) = (Math.Clamp(xh.Start.Value, s, e), Math.Clamp(xh.End.Value, s, e));
                Add(s, xs - s, ByUse[PageUse.Free]);
                Add(xs, xe - xs, XenheapFree);
                Add(xe, e - xe, ByUse[PageUse.Free]);
            }
            else
            {
                Add(span.Start.Value, span.Pages, ByUse[span.Use]);
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

    /// <summary>The categories on the map in the legend's order: free, xenheap, buffers, domains, then Xen's own uses.</summary>
    public IEnumerable<(HeatCategory Category, ulong Pages)> Legend =>
        new[] { ByUse[PageUse.Free], XenheapFree, ByUse[PageUse.Xenheap], ByUse[PageUse.Buffer] }
            .Concat(_domains.OrderBy(d => d.Key).Select(d => d.Value))
            .Concat(new[] { PageUse.Anonymous, PageUse.PageTable, PageUse.Vmap, PageUse.FrameTable, PageUse.BootStructure, PageUse.Module, PageUse.Reserved, PageUse.BadPage }.Select(u => ByUse[u]))
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
            category = new HeatCategory($"domain d{id}", DomainColours[_domains.Count % DomainColours.Length]);
            _domains[id] = category;
        }

        return category;
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
