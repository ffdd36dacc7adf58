using XenMm.Heap;
using XenMm.Reports;

namespace XenMm.Core.Tests.Reports;

/// <summary>The 'H' and 'm' dumps in Xen's format (xen/common/page_alloc.c dump_heap, pagealloc_info).</summary>
public sealed class HeapReportTests
{
    private static BuddyHeap Machine()
    {
        var heap = Core.Tests.Heap.HeapTestMachines.Empty(0x80000, 0x100000);
        heap.InitHeapPages(new Mfn(0x80000), 0x100000);
        Assert.True(heap.TryAlloc(1, 36, 0, MemFlags.None, out var m));
        heap.Free(m, 0, needScrub: true);
        return heap;
    }

    [Fact]
    public void Key_H_dumps_avail_per_node_and_zone_then_unscrubbed_pages()
    {
        var text = new HeapReport(Machine()).DumpHeap(now: 1234);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("'H' pressed -> dumping heap info (now = 1234)", lines[0]);
        Assert.Equal("heap[node=0][zone=0] -> 0 pages", lines[1]);
        Assert.Equal("heap[node=0][zone=20] -> 524288 pages", lines[21]);
        Assert.Equal("heap[node=0][zone=21] -> 524288 pages", lines[22]);
        Assert.Equal(1 + 37 + 1, lines.Length);
        Assert.Equal("Node 0 has 1 unscrubbed pages", lines[^1]);
    }

    [Fact]
    public void Key_m_prints_xen_heap_zones_and_dom_heap_in_kB()
    {
        var text = new HeapReport(Machine()).MemoryInfo();

        Assert.Equal(
            "Physical memory information:\n    Xen heap: 0kB free\n    heap[20]: 2097152kB free\n    heap[21]: 2097152kB free\n    Dom heap: 4194304kB free\n",
            text);
    }

    [Fact]
    public void Fragmentation_index_is_zero_for_one_chunk_and_grows_with_splinters()
    {
        var heap = Machine();
        var report = new HeapReport(heap);
        Assert.Equal(0.0, report.FragmentationIndex(0, 0), 6);   // empty zone
        Assert.Equal(0.5, report.FragmentationIndex(0, 21), 6);  // two order-18 chunks
        Assert.True(heap.TryAlloc(21, 21, 0, MemFlags.None, out _));
        Assert.Equal(1.0 - (262144.0 / 524287), report.FragmentationIndex(0, 21), 6);
        Assert.Contains("order 18: 3\n", report.FreeChunkHistogram(), StringComparison.Ordinal);
    }
}
