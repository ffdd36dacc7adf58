using XenMm.Heap;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>xen-mm.md §11 examples 2–4 as exact list states.</summary>
public sealed class WorkedExampleTests
{
    [Theory]
    [InlineData(0x0UL, 1)]
    [InlineData(0x1UL, 1)]
    [InlineData(0x3UL, 2)]
    [InlineData(0x80000UL, 20)]
    [InlineData(0xFFFFFUL, 20)]
    [InlineData(0x100000UL, 21)]
    [InlineData(0x880000UL, 24)]
    public void Example2_zone_is_flsl_of_the_mfn_with_mfn_0_in_zone_1(ulong mfn, int zone)
    {
        var heap = Empty(0, 16);
        Assert.Equal(zone, heap.ZoneOf(M(mfn)));
    }

    [Fact]
    public void Example2_bits_to_zone()
    {
        Assert.Equal(20, BuddyHeap.BitsToZone(32));
        Assert.Equal(1, BuddyHeap.BitsToZone(12));
        Assert.Equal(64, BuddyHeap.BitsToZone(76));
    }

    [Fact]
    public void Example2_xenheap_range_is_zone_0_on_the_split_model()
    {
        var heap = Empty(0xF0000, 0x10000, HeapConfig.Arm32);
        heap.SetXenheapRange(M(0xFC000), M(0x100000));
        Assert.Equal(0, heap.ZoneOf(M(0xFC123)));
        Assert.Equal(20, heap.ZoneOf(M(0xFBFFF)));
    }

    [Fact]
    public void Example3_split_takes_the_highest_page_and_free_merges_back()
    {
        var heap = Empty(0x80000, 16);
        heap.InitHeapPages(M(0x80000), 8); // 0x80008.. stays in use
        Assert.Equal("z20/o3: 0x80000", Lists(heap));

        Assert.True(heap.TryAlloc(1, 36, 0, MemFlags.None, out var mfn));

        Assert.Equal(M(0x80007), mfn);
        Assert.Equal("z20/o0: 0x80006\nz20/o1: 0x80004\nz20/o2: 0x80000", Lists(heap));
        Assert.Equal(7UL, heap.Avail(0, 20));

        heap.Free(mfn, 0);

        Assert.Equal("z20/o3: 0x80000", Lists(heap));
        Assert.Equal(8UL, heap.Avail(0, 20));
    }

    [Fact]
    public void Example3_out_of_order_frees_end_in_one_order_3_chunk()
    {
        var heap = AllAllocated(0x80000, 16, 8); // 0x80008.. never given to the heap: in use

        Assert.Equal(string.Empty, Lists(heap));

        heap.Free(M(0x80004), 2);
        Assert.Equal("z20/o2: 0x80004", Lists(heap));
        heap.Free(M(0x80001), 0);
        Assert.Equal("z20/o0: 0x80001\nz20/o2: 0x80004", Lists(heap));
        heap.Free(M(0x80000), 0);
        Assert.Equal("z20/o1: 0x80000\nz20/o2: 0x80004", Lists(heap));
        heap.Free(M(0x80002), 1);
        Assert.Equal("z20/o3: 0x80000", Lists(heap));
    }

    [Theory]
    [InlineData(XenProfile.Current)]
    [InlineData(XenProfile.Xen2013)]
    public void Example4_chunked_init_decomposes_into_ten_chunks(XenProfile profile)
    {
        var heap = Empty(0x80000, 0x400, HeapConfig.For(64, profile));

        heap.InitHeapPages(M(0x80001), 1023); // current: 10 chunked frees; 2013: 1,023 page-wise frees, same result

        var expected = string.Join('\n', Enumerable.Range(0, 10).Select(o => $"z20/o{o}: 0x{0x80000 + (1 << o):x}"));
        Assert.Equal(expected, Lists(heap));
        Assert.Equal(1023UL, heap.TotalAvailPages);

        heap.Free(M(0x80000), 0);
        Assert.Equal("z20/o10: 0x80000", Lists(heap));
    }
}
