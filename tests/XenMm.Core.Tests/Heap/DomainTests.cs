using XenMm.Audit;
using XenMm.Domains;
using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>assign_pages, free_domheap_pages and claims (xen-mm.md §2.10, §2.12).</summary>
public sealed class DomainTests
{
    private static (BuddyHeap Heap, Domheap Domheap) Machine(ulong pages = 4096)
    {
        var heap = Empty(0x80000, pages);
        heap.InitHeapPages(M(0x80000), pages);
        return (heap, new Domheap(heap));
    }

    [Fact]
    public void Alloc_for_a_domain_assigns_the_pages()
    {
        var (heap, domheap) = Machine();
        var d = new Domain(1, 16);

        Assert.True(domheap.TryAllocPages(d, 2, MemFlags.None, out var mfn));

        Assert.Equal(4UL, d.TotPages);
        var pc = heap.Config.PageCount;
        var page = heap.FrameTable.Get(mfn + 3);
        Assert.Equal(1, page.OwnerId);
        Assert.Equal(pc.Allocated | 1, page.CountInfo);
        Assert.Empty(new HeapAudit(heap, [d]).Run());

        domheap.FreePages(mfn, 2);
        Assert.Equal(0UL, d.TotPages);
        Assert.Null(heap.FrameTable.Get(mfn).OwnerId);
        Assert.Empty(new HeapAudit(heap, [d]).Run());
    }

    [Fact]
    public void Assign_beyond_max_pages_fails_and_the_pages_go_back()
    {
        var (heap, domheap) = Machine();
        var d = new Domain(1, 3);
        ulong before = heap.FullStateHash();

        Assert.False(domheap.TryAllocPages(d, 2, MemFlags.None, out _));

        Assert.Equal(0UL, d.TotPages);
        Assert.Equal(4096UL, heap.TotalAvailPages);
        Assert.Empty(new HeapAudit(heap, [d]).Run());
        Assert.Equal(before, heap.FullStateHash()); // Xen frees them with need_scrub = MEMF_no_scrub (clear): back exactly as before
    }

    [Fact]
    public void AssignPages_refusals_leave_everything_unchanged()
    {
        var (heap, domheap) = Machine();
        var d = new Domain(7, 2);
        Assert.True(heap.TryAlloc(1, 36, 2, MemFlags.None, out var mfn));
        ulong before = heap.FullStateHash();

        var e = Assert.Throws<XenMmException>(() => domheap.AssignPages(mfn, 4, d));
        Assert.Equal(MmError.LimitExceeded, e.Error);
        Assert.Contains("max_pages 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => domheap.AssignPages(M(0x80000), 1, d)).Error);
        d.IsDying = true;
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => domheap.AssignPages(mfn, 1, d)).Error);
        Assert.Equal(before, heap.FullStateHash());
        Assert.Equal(0UL, d.TotPages);
    }

    [Fact]
    public void Claims_follow_domain_set_outstanding_pages_rules()
    {
        var (heap, domheap) = Machine(1024);
        var d = new Domain(1, 2048);
        var other = new Domain(2, 2048);

        Assert.Equal(MmError.ClaimRejected, Assert.Throws<XenMmException>(() => domheap.SetOutstandingPages(d, 2000)).Error); // > free: -ENOMEM
        domheap.SetOutstandingPages(d, 1000);
        Assert.Equal(1000UL, heap.OutstandingClaims);
        Assert.Equal(MmError.ClaimRejected, Assert.Throws<XenMmException>(() => domheap.SetOutstandingPages(d, 10)).Error); // one claim only
        Assert.Equal(MmError.ClaimRejected, Assert.Throws<XenMmException>(() => domheap.SetOutstandingPages(other, 3000)).Error); // > max_pages

        // Others cannot eat into the claim; the claimant consumes it.
        Assert.False(domheap.TryAllocPages(other, 5, MemFlags.None, out _));
        Assert.True(domheap.TryAllocPages(d, 9, MemFlags.None, out _));
        Assert.Equal(488UL, d.OutstandingPages);
        Assert.Equal(488UL, heap.OutstandingClaims);
        Assert.Empty(new HeapAudit(heap, [d, other]).Run());

        domheap.SetOutstandingPages(d, 0);
        Assert.Equal(0UL, heap.OutstandingClaims);
        Assert.True(domheap.TryAllocPages(other, 5, MemFlags.None, out _));
    }

    [Fact]
    public void Frame_allocator_takes_single_domheap_frames()
    {
        var (heap, domheap) = Machine(64);
        var frames = new DomheapFrameAllocator(domheap);

        Assert.True(frames.TryAllocate(out var a));
        Assert.Equal(M(0x8003F), a);
        frames.Free(a);
        Assert.Equal(MmError.NotAllocated, Assert.Throws<XenMmException>(() => frames.Free(a)).Error);
        Assert.Equal(64UL, heap.TotalAvailPages);
        Assert.Equal(1UL, heap.NodeNeedScrub(0)); // anonymous domheap frees are scrubbed lazily
        Assert.Empty(new HeapAudit(heap).Run());
    }
}
