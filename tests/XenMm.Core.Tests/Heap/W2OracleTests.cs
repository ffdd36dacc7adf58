using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Core.Tests.Heap;

/// <summary>W2: init_heap_pages of 2^24 pages at MFN 0x80000, both variants (native: w2_*_state_hash 0x86bc6a7386a81275, 64 order-18 chunks).</summary>
public sealed class W2OracleTests
{
    [Theory]
    [InlineData(HeapInitMode.Chunked)]
    [InlineData(HeapInitMode.PageWise)]
    public void Init_of_64_GiB_gives_the_native_state(HeapInitMode mode)
    {
        // ./xenheap_bench w2 --check
        var heap = new BuddyHeap([new RamBank(new PhysAddr(0x8000_0000), 64UL << 30)], HeapConfig.Arm64);

        heap.InitHeapPages(new Mfn(0x80000), 1UL << 24, mode);

        Assert.Equal(0x86bc6a7386a81275UL, heap.StateHash());
        Assert.Equal(64UL, heap.FreeChunkHistogram()[18]);
        Assert.Equal(1UL << 24, heap.TotalAvailPages);
    }

    [Fact]
    public void W1_initial_state_is_the_same_for_both_init_variants()
    {
        var banks = new[] { new RamBank(new PhysAddr(0x8000_0000), 4UL << 30) };
        var chunked = new BuddyHeap(banks, HeapConfig.Arm64);
        var pagewise = new BuddyHeap(banks, HeapConfig.Arm64);
        chunked.InitHeapPages(new Mfn(0x80000), 1UL << 20, HeapInitMode.Chunked);
        pagewise.InitHeapPages(new Mfn(0x80000), 1UL << 20, HeapInitMode.PageWise);

        Assert.Equal(0x6e82d918c8c1dea1UL, chunked.StateHash());
        Assert.Equal(chunked.StateHash(), pagewise.StateHash());
        // README: zone 21 list = [0x140000, 0x100000], zone 20 list = [0xC0000, 0x80000], head first.
        Assert.Equal([new Mfn(0x140000), new Mfn(0x100000)], chunked.FreeList(0, 21, 18));
        Assert.Equal([new Mfn(0xC0000), new Mfn(0x80000)], chunked.FreeList(0, 20, 18));
        // FreeChunks: every list in turn (zone 20 before zone 21), head to tail.
        Assert.Equal([(new Mfn(0xC0000), 18), (new Mfn(0x80000), 18), (new Mfn(0x140000), 18), (new Mfn(0x100000), 18)], chunked.FreeChunks());
    }
}
