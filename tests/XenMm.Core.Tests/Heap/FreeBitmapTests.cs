using XenMm.Audit;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Core.Tests.Heap;

/// <summary>
/// The double-free check reads bitmaps only (small-chunk pages, covered 64-page groups); the audit holds them to the
/// free lists, and a free next to, inside or over free chunks of every size is refused exactly.
/// </summary>
public sealed class FreeBitmapTests
{
    [Fact]
    public void Audit_finds_a_small_chunk_bit_out_of_step_with_the_lists()
    {
        var heap = Heap();
        heap.InitHeapPages(new Mfn(0x80001), 0x3FF);
        Assert.Empty(new HeapAudit(heap).Run());

        heap.FrameTable.TryToIdx(0x80001, out uint idx);
        heap.FrameTable.FlipSmallChunkBitForTest(idx); // MFN 0x80001 is a free order-0 chunk: its bit goes

        var found = new HeapAudit(heap).Run().Where(x => x.Check == "frame-table bitmaps").ToList();
        Assert.Equal(2, found.Count);
        Assert.Equal(new Mfn(0x80001), found[0].Mfn);
        Assert.Contains("order 0 chunk is not marked free in the small-chunk bitmap", found[0].Detail);
        Assert.Contains("the lists hold", found[1].Detail);
    }

    [Theory]
    [InlineData(0x80004UL, 2)]  // exactly the free order-2 chunk
    [InlineData(0x80006UL, 1)]  // inside it
    [InlineData(0x80000UL, 3)]  // over it and the page in use below it
    [InlineData(0x80040UL, 6)]  // exactly a free order-6 chunk (covered bits)
    [InlineData(0x80050UL, 3)]  // inside that one
    [InlineData(0x80000UL, 7)]  // over both
    public void A_free_overlapping_a_free_chunk_is_a_double_free(ulong mfn, int order)
    {
        var heap = Heap();
        heap.Free(new Mfn(0x80004), 2);
        heap.Free(new Mfn(0x80040), 6);
        ulong before = heap.FullStateHash();

        var ex = Assert.Throws<XenMmException>(() => heap.Free(new Mfn(mfn), order));

        Assert.Equal(MmError.DoubleFree, ex.Error);
        Assert.Equal(before, heap.FullStateHash());
        Assert.Empty(new HeapAudit(heap).Run());
    }

    [Theory]
    [InlineData(0x80000UL, 2)]  // just below the order-2 chunk: merges with it
    [InlineData(0x80008UL, 3)]  // just above it
    [InlineData(0x80080UL, 6)]  // just above the order-6 chunk
    public void A_free_beside_free_chunks_is_taken(ulong mfn, int order)
    {
        var heap = Heap();
        heap.Free(new Mfn(0x80004), 2);
        heap.Free(new Mfn(0x80040), 6);

        heap.Free(new Mfn(mfn), order);

        Assert.Equal(4 + 64 + (1UL << order), heap.TotalAvailPages);
        Assert.Empty(new HeapAudit(heap).Run());
    }

    private static BuddyHeap Heap() =>
        new([new RamBank(new PhysAddr(0x8000_0000), 0x400UL << Addressing.PageShift)], HeapConfig.Arm64);
}
