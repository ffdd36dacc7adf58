using XenMm.Arm32.Machine;
using XenMm.Arm64.Machine;
using XenMm.Cli.Heatmap;
using XenMm.Machine;

namespace XenMm.Cli.Tests;

/// <summary>The heat map's grid: free pages coloured by the order of their buddy chunk, the xenheap apart, small categories marked.</summary>
public sealed class HeatGridTests
{
    private static readonly (string Name, int Lo, int Hi)[] Groups =
    [
        ("free, order 0 (4K)", 0, 0),
        ("free, order 1-3 (8K-32K)", 1, 3),
        ("free, order 4-8 (64K-1M)", 4, 8),
        ("free, order 9-17 (2M-512M)", 9, 17),
        ("free, order 18+ (1G+)", 18, 64),
    ];

    [Theory]
    [InlineData("arm64", XenProfile.Current)]
    [InlineData("arm64", XenProfile.Xen2013)]
    [InlineData("arm32", XenProfile.Current)]
    public void Free_pages_per_order_group_are_the_heaps_free_chunks(string arch, XenProfile profile)
    {
        IArchitecture a = arch == "arm64" ? new Arm64Architecture() : new Arm32Architecture();
        var m = new XenMachine(new MachineOptions { Ram = [new MemoryRegion(new PhysAddr(0x8000_0000), 96UL << 20)], Profile = profile }, a);
        m.Boot();
        var histogram = m.Heap.FreeChunkHistogram();
        var xenheapFree = m.HeapModel.XenheapRange is { } xh ? m.Heap.AvailHeapPages(0, 0) : 0;
        var legend = HeatGrid.Of(m, null).Legend.ToDictionary(l => l.Category.Name, l => l.Pages);

        // The split model's xenheap is zone 0: its free chunks are "xenheap, free", whatever their order.
        var inXenheap = new ulong[histogram.Length];
        for (var order = 0; order <= m.Heap.MaxOrder; order++)
        {
            inXenheap[order] = (ulong)m.Heap.FreeList(0, 0, order).Count;
        }

        foreach (var (name, lo, hi) in Groups)
        {
            var pages = Enumerable.Range(lo, Math.Max(0, Math.Min(hi, m.Heap.MaxOrder) - lo + 1)).Aggregate(0UL, (sum, o) => sum + ((histogram[o] - inXenheap[o]) << o));
            Assert.Equal(pages, legend.GetValueOrDefault(name));
            Assert.Equal(pages != 0, legend.ContainsKey(name)); // the legend lists only what is on the map
        }

        Assert.Equal(xenheapFree, legend.GetValueOrDefault("xenheap, free"));
        Assert.Equal(m.Heap.TotalAvailPages, legend.Where(l => l.Key.StartsWith("free", StringComparison.Ordinal) || l.Key == "xenheap, free").Aggregate(0UL, (sum, l) => sum + l.Value));
    }

    [Fact]
    public void The_default_arm32_board_has_these_free_chunks_and_the_small_ones_stay_marked()
    {
        var m = new XenMachine(new Arm32Architecture().DefaultBoard(), new Arm32Architecture());
        m.Boot();
        var grid = HeatGrid.Of(m, null);
        var legend = grid.Legend.Select(l => $"{l.Category.Name}: {l.Pages}, marked in {grid.Cells.Count(c => c.Marks.Contains(l.Category))}").ToArray();
        Assert.Equal(
        [
            "free, order 0 (4K): 3, marked in 3",
            "free, order 1-3 (8K-32K): 26, marked in 2",
            "free, order 4-8 (64K-1M): 1424, marked in 0",
            "free, order 9-17 (2M-512M): 249856, marked in 0",
            "xenheap, free: 8187, marked in 0",
            "xenheap, in use: 3, marked in 1",
            "buffer page: 2, marked in 2",
            "page table: 2, marked in 1",
            "vmap: 1, marked in 1",
            "frame table: 2048, marked in 0",
            "module: 592, marked in 0",
        ], legend);
        // Four order-0 chunks in all: one is in the xenheap (zone 0), so it is "xenheap, free".
        Assert.Equal(4UL, m.Heap.FreeChunkHistogram()[0]);
        Assert.Single(m.Heap.FreeList(0, 0, 0));
        Assert.Equal(3UL, (ulong)grid.Cells.Sum(c => (int)c.Pages.GetValueOrDefault(HeatPalette.Free(0))));
    }
}
