using XenMm.Audit;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>The 2013 profile's list discipline and the split-model xenheap hook (xen-mm.md §2.6, §2.11, example 1).</summary>
public sealed class ProfileAndXenheapTests
{
    [Fact]
    public void Xen2013_appends_every_freed_chunk_to_the_tail()
    {
        var heap = AllAllocated(0x80000, 16, 16, HeapConfig.For(64, XenProfile.Xen2013));

        heap.Free(M(0x80000), 0);
        heap.Free(M(0x80004), 0);
        heap.Free(M(0x80008), 0);

        Assert.Equal("z20/o0: 0x80000 0x80004 0x80008", Lists(heap)); // current Xen: 0x80008 0x80004 0x80000
        Assert.Equal(20, heap.MaxOrder);
        Assert.Equal(29, heap.NrZones);
    }

    [Fact]
    public void Example1_arm32_xenheap_range_lands_in_zone_0_with_one_page_buffers()
    {
        // Xenheap [0xFC000, 0x100000); init_xenheap_pages leaves its first and last page out: [0xFC001, 0xFFFFF).
        var heap = Empty(0x80000, 0x80000, HeapConfig.Arm32);
        heap.SetXenheapRange(M(0xFC000), M(0x100000));
        heap.InitHeapPages(M(0xFC001), 0xFFFFF - 0xFC001);

        Assert.Equal(16382UL, heap.Avail(0, 0));
        Assert.Equal([M(0xFE000), M(0xFD000)], heap.FreeList(0, 0, 12));
        Assert.Equal([M(0xFF000), M(0xFC800)], heap.FreeList(0, 0, 11));
        Assert.Equal([M(0xFFFFE), M(0xFC001)], heap.FreeList(0, 0, 0));

        // No fallback: domheap zones never return xenheap pages, and alloc_xenheap_pages uses zone 0 only.
        Assert.False(heap.TryAlloc(1, 28, 0, MemFlags.None, out _));
        Assert.True(heap.TryAlloc(0, 0, 0, MemFlags.NoScrub, out var x));
        Assert.Equal(M(0xFFFFE), x);
        Assert.Empty(new HeapAudit(heap).Run());
    }

    [Fact]
    public void Unified_model_flags_allocated_xenheap_pages_and_refuses_free_ones()
    {
        var heap = Empty(0x80000, 64);
        heap.InitHeapPages(M(0x80000), 64);
        Assert.True(heap.TryAlloc(1, 36, 1, MemFlags.NoScrub, out var x)); // alloc_xenheap_pages: domheap + flag

        heap.SetXenHeapFlag(x, 1, true);
        Assert.True(heap.IsXenHeapPage(x + 1));
        Assert.Equal(MmError.DoubleFree, Assert.Throws<XenMmException>(() => heap.SetXenHeapFlag(M(0x80000), 0, true)).Error);

        heap.SetXenHeapFlag(x, 1, false); // free_xenheap_pages clears it before freeing
        heap.Free(x, 1, needScrub: true);
        Assert.False(heap.IsXenHeapPage(x));
        Assert.Equal(0UL, heap.Avail(0, 0));
        Assert.Empty(new HeapAudit(heap).Run());
    }
}
