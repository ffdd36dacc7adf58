using XenMm.Machine;

namespace XenMm.Cli.Heatmap;

/// <summary>A colour category of the heat map: a census category, split where the picture needs more (free by order, xenheap free, each domain).</summary>
internal sealed record HeatCategory(string Name, string Colour);

/// <summary>
/// The heat map's colours. Free pages go on a light-to-dark green ramp by the order of the buddy chunk that holds
/// them, in groups that match ARM's mapping sizes (a 4 KiB page, up to a 2 MiB block, up to a 1 GiB block), so
/// fragmentation shows as light cells; the other categories keep hues apart from the greens.
/// </summary>
internal static class HeatPalette
{
    private static readonly (int LowestOrder, HeatCategory Category)[] FreeGroups =
    [
        (0, new("free, order 0 (4K)", "#c7e9c0")),
        (1, new("free, order 1-3 (8K-32K)", "#a1d99b")),
        (4, new("free, order 4-8 (64K-1M)", "#74c476")),
        (9, new("free, order 9-17 (2M-512M)", "#31a354")),
        (18, new("free, order 18+ (1G+)", "#006d2c")),
    ];

    private static readonly string[] DomainColours = ["#fb8c00", "#f06292", "#8e24aa", "#26c6da", "#ad1457", "#ffb74d"];

    private static readonly Dictionary<PageUse, HeatCategory> ByUse = new()
    {
        [PageUse.Xenheap] = new("xenheap, in use", "#0277bd"),
        [PageUse.Buffer] = new("buffer page", "#e53935"),
        [PageUse.Anonymous] = new("domheap, no owner", "#fdd835"),
        [PageUse.PageTable] = new("page table", "#283593"),
        [PageUse.Vmap] = new("vmap", "#00897b"),
        [PageUse.FrameTable] = new("frame table", "#5d4037"),
        [PageUse.BootStructure] = new("boot structure", "#bcaaa4"),
        [PageUse.Module] = new("module", "#424242"),
        [PageUse.Reserved] = new("reserved", "#9e9e9e"),
        [PageUse.BadPage] = new("bad page", "#000000"),
    };

    /// <summary>Free pages inside a split model's xenheap range (one colour: the xenheap is a zone of its own).</summary>
    public static readonly HeatCategory XenheapFree = new("xenheap, free", "#b3e5fc");

    /// <summary>The categories in the legend's order: free by order, xenheap, buffers, then <paramref name="domains"/>, then Xen's own uses.</summary>
    public static IEnumerable<HeatCategory> LegendOrder(IEnumerable<HeatCategory> domains) =>
        FreeGroups.Select(g => g.Category)
            .Concat([XenheapFree, ByUse[PageUse.Xenheap], ByUse[PageUse.Buffer]])
            .Concat(domains)
            .Concat(new[] { PageUse.Anonymous, PageUse.PageTable, PageUse.Vmap, PageUse.FrameTable, PageUse.BootStructure, PageUse.Module, PageUse.Reserved, PageUse.BadPage }.Select(u => ByUse[u]));

    /// <summary>The category of free pages in a buddy chunk of <paramref name="order"/>.</summary>
    public static HeatCategory Free(int order) => FreeGroups.Last(g => g.LowestOrder <= order).Category;

    /// <summary>The category of a census use other than free and domain.</summary>
    public static HeatCategory Of(PageUse use) => ByUse[use];

    /// <summary>The category of the <paramref name="index"/>th domain on the map (colours repeat after six).</summary>
    public static HeatCategory Domain(int id, int index) => new($"domain d{id}", DomainColours[index % DomainColours.Length]);
}
