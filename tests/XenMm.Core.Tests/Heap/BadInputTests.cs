using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>Refused input gets its MmError, a message naming the value, and leaves the whole heap state unchanged.</summary>
public sealed class BadInputTests
{
    private static BuddyHeap Churned()
    {
        var heap = Empty(0x80000, 4096);
        heap.InitHeapPages(M(0x80000), 4096);
        for (int i = 0; i < 40; i++)
        {
            Assert.True(heap.TryAlloc(1, 36, i % 3, MemFlags.None, out _));
        }

        heap.Free(M(0x80FFF), 0);
        return heap;
    }

    private static void AssertRefused(BuddyHeap heap, MmError error, string named, Action action)
    {
        ulong before = heap.FullStateHash();
        string lists = Lists(heap);
        var ex = Assert.Throws<XenMmException>(action);
        Assert.Equal(error, ex.Error);
        Assert.Contains(named, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, heap.FullStateHash());
        Assert.Equal(lists, Lists(heap));
    }

    [Fact]
    public void A_bare_free_of_a_domains_page_is_refused()
    {
        var heap = Churned();
        var domheap = new XenMm.Domains.Domheap(heap);
        var d = new XenMm.Domains.Domain(1, 16);
        Assert.True(domheap.TryAllocPages(d, 1, MemFlags.None, out var mfn));
        AssertRefused(heap, MmError.InvalidState, "belongs to domain 1", () => heap.Free(mfn, 1));
        Assert.Equal(2UL, d.TotPages);
        domheap.FreePages(mfn, 1);
        Assert.Equal(0UL, d.TotPages);
    }

    [Fact]
    public void Double_free_of_a_free_head()
    {
        var heap = Churned();
        AssertRefused(heap, MmError.DoubleFree, "0x80fff", () => heap.Free(M(0x80FFF), 0));
    }

    [Fact]
    public void Double_free_of_a_page_inside_a_free_chunk()
    {
        var heap = Churned();
        AssertRefused(heap, MmError.DoubleFree, "0x80010", () => heap.Free(M(0x80010), 0));
    }

    [Fact]
    public void Free_with_a_larger_order_covering_a_free_page()
    {
        var heap = Churned();
        // 0x80FFE/0x80FFF: 0x80FFF is free again, so an order-1 free of 0x80FFE overlaps it.
        AssertRefused(heap, MmError.DoubleFree, "0x80ffe", () => heap.Free(M(0x80FFE), 1));
    }

    [Fact]
    public void Double_free_inside_an_order_7_chunk_is_found()
    {
        // Regression found by HeapPropertyTests: the head sits at the 64-page group of the freed page itself.
        var heap = Empty(0x80000, 256);
        heap.InitHeapPages(M(0x80080), 128);
        AssertRefused(heap, MmError.DoubleFree, "0x8008c", () => heap.Free(M(0x8008C), 2));
    }

    [Fact]
    public void Misaligned_mfn()
    {
        var heap = Churned();
        AssertRefused(heap, MmError.Misaligned, "0x80ffd", () => heap.Free(M(0x80FFD), 1));
    }

    [Fact]
    public void Mfn_outside_ram()
    {
        var heap = Churned();
        AssertRefused(heap, MmError.InvalidAddress, "0x81000", () => heap.Free(M(0x81000), 0));
        AssertRefused(heap, MmError.InvalidAddress, "0x7ffff", () => heap.Free(M(0x7FFFF), 0));
    }

    [Fact]
    public void Order_above_max_order()
    {
        var heap = Churned();
        AssertRefused(heap, MmError.InvalidOrder, "19", () => heap.Free(M(0x80000), 19));
        AssertRefused(heap, MmError.InvalidOrder, "-1", () => heap.Free(M(0x80000), -1));
    }

    [Fact]
    public void Init_over_free_pages_is_refused_whole()
    {
        var heap = Churned();
        AssertRefused(heap, MmError.DoubleFree, "0x80", () => heap.InitHeapPages(M(0x80000), 4096));
    }

    [Fact]
    public void Allocation_failure_is_a_result_not_an_exception()
    {
        var heap = Empty(0x80000, 16);
        heap.InitHeapPages(M(0x80000), 16);
        ulong before = heap.FullStateHash();

        Assert.False(heap.TryAlloc(1, 36, 5, MemFlags.None, out var mfn));
        Assert.False(heap.TryAlloc(1, 36, 19, MemFlags.None, out _));
        Assert.False(heap.TryAlloc(1, 19, 0, MemFlags.None, out _)); // zone 20 holds everything
        Assert.Equal(Mfn.Invalid, mfn);
        Assert.Equal(before, heap.FullStateHash());
    }

    [Fact]
    public void Zone_range_outside_nr_zones_throws()
    {
        var heap = Empty(0x80000, 16);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => heap.TryAlloc(1, 37, 0, MemFlags.None, out _)).Error);
    }
}
