using XenMm.Audit;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>Dirty chunks at list tails, first_dirty tracking, scrub on allocation, idle scrubbing (xen-mm.md §2.9).</summary>
public sealed class ScrubTests
{
    [Fact]
    public void Dirty_chunks_go_to_the_tail_and_clean_ones_to_the_head()
    {
        var heap = AllAllocated(0x80000, 16, 16);

        heap.Free(M(0x80000), 0, needScrub: true);
        heap.Free(M(0x80004), 0);
        heap.Free(M(0x80008), 0, needScrub: true);

        Assert.Equal("z20/o0: 0x80004 0x80000 0x80008", Lists(heap));
        Assert.Equal(2UL, heap.NodeNeedScrub(0));
        Assert.Equal(0u, heap.FrameTable.Get(M(0x80000)).FirstDirty);
        Assert.Equal(heap.Config.InvalidDirtyIdx, heap.FrameTable.Get(M(0x80004)).FirstDirty);
    }

    [Fact]
    public void Merging_clean_with_dirty_offsets_first_dirty()
    {
        var heap = AllAllocated(0x80000, 16, 16);

        heap.Free(M(0x80000), 0);
        heap.Free(M(0x80001), 0, needScrub: true); // predecessor clean: first_dirty = 1 + 0

        var head = heap.FrameTable.Get(M(0x80000));
        Assert.Equal(1, head.Order);
        Assert.Equal(1u, head.FirstDirty);
        Assert.Equal("z20/o1: 0x80000", Lists(heap));
        Assert.Empty(new HeapAudit(heap).Run());
    }

    [Fact]
    public void Allocation_prefers_clean_chunks_above_order_0_and_scrubs_what_it_takes()
    {
        var heap = Empty(0x80000, 16);
        heap.InitHeapPages(M(0x80000), 8, needScrub: true); // dirty order-3 at 0x80000
        heap.InitHeapPages(M(0x80008), 8);                  // clean order-3 at 0x80008 — merges: first_dirty 0
        Assert.Equal(0u, heap.FrameTable.Get(M(0x80000)).FirstDirty);
        Assert.Equal(8UL, heap.NodeNeedScrub(0));

        // No clean chunk anywhere: the second pass takes the dirty one and scrubs the dirty page it returns.
        Assert.True(heap.TryAlloc(1, 36, 1, MemFlags.None, out var mfn));
        Assert.Equal(M(0x8000E), mfn);
        Assert.Equal(8UL, heap.NodeNeedScrub(0));
        Assert.True(heap.TryAlloc(1, 36, 0, MemFlags.None, out var low));
        Assert.Empty(new HeapAudit(heap).Run());

        heap.Free(low, 0);
        heap.Free(mfn, 1);
        Assert.True(heap.ScrubFreePages(3)); // preempted after 3 pages: first_dirty records the progress
        Assert.Equal(3u, heap.FrameTable.Get(M(0x80000)).FirstDirty);
        Assert.False(heap.ScrubFreePages());

        Assert.Equal(0UL, heap.NodeNeedScrub(0));
        Assert.Equal("z20/o4: 0x80000", Lists(heap));
        Assert.Equal(heap.Config.InvalidDirtyIdx, heap.FrameTable.Get(M(0x80000)).FirstDirty);
        Assert.Empty(new HeapAudit(heap).Run());
    }
}
