using CsCheck;
using XenMm.Audit;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Core.Tests.Heap;

/// <summary>
/// Page-wise init_heap_pages (Xen ≤ 4.16) has a fast loop for a boot (one node, no owned or dirty page, clean frees)
/// and the general one: both must leave exactly the state of freeing every page with free_heap_pages(pg, 0).
/// </summary>
public sealed class PageWiseInitTests
{
    // A bank anywhere in the first 2^22 frames, so ranges cross zone boundaries (powers of two) at random.
    private static readonly Gen<(ulong Start, ulong Pages, ulong Skip, ulong Count)> Ranges =
        from start in Gen.ULong[1, 1UL << 22]
        from pages in Gen.ULong[1, 5000]
        from skip in Gen.ULong[0, pages - 1]
        from count in Gen.ULong[1, pages - skip]
        select (start, pages, skip, count);

    [Fact]
    public void Fast_loop_gives_the_state_of_page_by_page_frees() =>
        Ranges.Sample(r =>
        {
            var (pagewise, byPage) = (Heap(r.Start, r.Pages), Heap(r.Start, r.Pages));

            pagewise.InitHeapPages(new Mfn(r.Start + r.Skip), r.Count, HeapInitMode.PageWise);
            for (ulong m = r.Start + r.Skip; m < r.Start + r.Skip + r.Count; m++)
            {
                byPage.Free(new Mfn(m), 0);
            }

            AssertSame(byPage, pagewise);
        }, iter: 300);

    [Fact]
    public void Dirty_frees_and_a_second_node_take_the_general_loop_with_the_same_result() =>
        Ranges.Sample(r =>
        {
            var (pagewise, byPage) = (Heap(r.Start, r.Pages, nodes: 2), Heap(r.Start, r.Pages, nodes: 2));
            ulong half = r.Start + (r.Pages / 2);
            pagewise.FrameTable.SetNode(new Mfn(half), r.Start + r.Pages - half, 1);
            byPage.FrameTable.SetNode(new Mfn(half), r.Start + r.Pages - half, 1);

            pagewise.InitHeapPages(new Mfn(r.Start + r.Skip), r.Count, HeapInitMode.PageWise, needScrub: true);
            for (ulong m = r.Start + r.Skip; m < r.Start + r.Skip + r.Count; m++)
            {
                byPage.Free(new Mfn(m), 0, needScrub: true);
            }

            AssertSame(byPage, pagewise);
        }, iter: 100);

    [Fact]
    public void Xenheap_range_stays_in_zone_0()
    {
        // arm32's split heap: [0x80100, 0x80200) is xenheap (zone 0); init it page by page, then the domheap above
        // its one-page buffer, as setup_mm does.
        var heap = Heap(0x80000, 0x1000);
        heap.SetXenheapRange(new Mfn(0x80100), new Mfn(0x80200));

        heap.InitHeapPages(new Mfn(0x80100), 0x100, HeapInitMode.PageWise);
        heap.InitHeapPages(new Mfn(0x80201), 0xDFF, HeapInitMode.PageWise);

        Assert.Equal([new Mfn(0x80100)], heap.FreeList(0, 0, 8));
        Assert.Equal(0x100UL, heap.Avail(0, 0));
        Assert.Equal(0xDFFUL, heap.TotalAvailPages - 0x100);
        Assert.Empty(new HeapAudit(heap).Run());
    }

    private static BuddyHeap Heap(ulong start, ulong pages, int nodes = 1) =>
        new([new RamBank(new Mfn(start).ToPhysAddr(), pages << Addressing.PageShift)], HeapConfig.For(64, XenProfile.Current) with { Nodes = nodes });

    private static void AssertSame(BuddyHeap expected, BuddyHeap actual)
    {
        Assert.Equal(expected.FullStateHash(), actual.FullStateHash());
        Assert.Equal(expected.TotalAvailPages, actual.TotalAvailPages);
        Assert.Empty(new HeapAudit(actual).Run());
    }
}
