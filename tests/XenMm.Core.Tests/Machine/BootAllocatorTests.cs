using XenMm.Heap;
using XenMm.Machine;

namespace XenMm.Tests.Machine;

/// <summary>Xen's boot allocator (common/page_alloc.c): exact regions, allocation order, splits and hand-over, both profiles.</summary>
public sealed class BootAllocatorTests
{
    private static PhysAddr Pa(ulong mfn) => new(mfn << 12);

    private static (ulong, ulong)[] Regions(BootAllocator b) => [.. b.Regions.Select(r => (r.Start.Value, r.End.Value))];

    [Fact]
    public void Init_rounds_inward_and_ignores_empty_ranges()
    {
        var b = new BootAllocator(XenProfile.Current, 64);
        b.InitBootPages(new PhysAddr(0x4000_0001), new PhysAddr(0x4000_3FFF));
        b.InitBootPages(new PhysAddr(0x5000_0800), new PhysAddr(0x5000_0FFF)); // no whole page
        Assert.Equal([(0x40001UL, 0x40003UL)], Regions(b));
        Assert.Single(b.Inits);
    }

    [Fact]
    public void Allocations_are_top_down_and_an_aligned_one_splits_its_region()
    {
        // real-xen.md arm32 1 GiB: the same inits and allocations give the same regions at end_boot_allocator.
        var b = new BootAllocator(XenProfile.Current, 32);
        b.InitBootPages(Pa(0x40000), Pa(0x40010));
        b.InitBootPages(Pa(0x4015f), Pa(0x42000));
        b.InitBootPages(Pa(0x42001), Pa(0x48000));
        b.InitBootPages(Pa(0x48100), Pa(0x7e000));
        Assert.Equal(new Mfn(0x7dfff), b.AllocBootPages(1, 1, PageUse.PageTable, "xenheap L2"));
        Assert.Equal(new Mfn(0x7d600), b.AllocBootPages(2048, 512, PageUse.FrameTable, "frame table"));
        Assert.Equal(new Mfn(0x7dffe), b.AllocBootPages(1, 1, PageUse.Vmap, "bitmap"));
        Assert.Equal(new Mfn(0x7dffd), b.AllocBootPages(1, 1, PageUse.PageTable, "vmap L3"));
        Assert.Equal(
            [(0x40000UL, 0x40010UL), (0x4015fUL, 0x42000UL), (0x42001UL, 0x48000UL), (0x48100UL, 0x7d600UL), (0x7de00UL, 0x7dffdUL)],
            Regions(b));
        Assert.Equal(4, b.Allocations.Count);
    }

    [Fact]
    public void End_hands_the_first_region_then_the_rest_from_the_highest_down()
    {
        var b = new BootAllocator(XenProfile.Current, 64);
        b.InitBootPages(Pa(0x100), Pa(0x200));
        b.InitBootPages(Pa(0x300), Pa(0x400));
        b.InitBootPages(Pa(0x500), Pa(0x600));
        var order = b.End();
        Assert.Equal([(0x100UL, 0x200UL), (0x500UL, 0x600UL), (0x300UL, 0x400UL)], order.Select(r => (r.Start.Value, r.End.Value)));
        Assert.True(b.HasEnded);
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => b.AllocBootPages(1, 1, PageUse.BootStructure, "late")).Error);
    }

    [Fact]
    public void End_order_shows_in_the_heaps_lists()
    {
        // Two regions [0x80000, 0x80004) and [0x80010, 0x80011): the first goes first (head of zone 20's order-2
        // list), then the highest; each is one chunk. With bootscrub=idle the chunks would be dirty; this heap is fed clean.
        var b = new BootAllocator(XenProfile.Current, 64);
        b.InitBootPages(Pa(0x80000), Pa(0x80004));
        b.InitBootPages(Pa(0x80010), Pa(0x80011));
        var heap = new BuddyHeap([new Memory.RamBank(Pa(0x80000), 0x11000)], HeapConfig.Arm64);
        foreach (var r in b.End())
        {
            heap.InitHeapPages(r.Start, r.Pages);
        }

        Assert.Equal([new Mfn(0x80000)], heap.FreeList(0, 20, 2));
        Assert.Equal([new Mfn(0x80010)], heap.FreeList(0, 20, 0));
    }

    [Fact]
    public void Profile_2013_keeps_its_region_array_in_the_first_page_and_frees_it_last()
    {
        var b = new BootAllocator(XenProfile.Xen2013, 64);
        b.InitBootPages(Pa(0x100), Pa(0x200));
        b.InitBootPages(Pa(0x300), Pa(0x400));
        Assert.Equal(new Mfn(0x100), b.RegionListPage);
        Assert.Equal([(0x101UL, 0x200UL), (0x300UL, 0x400UL)], Regions(b));
        var order = b.End();
        Assert.Equal([(0x101UL, 0x200UL), (0x300UL, 0x400UL), (0x100UL, 0x101UL)], order.Select(r => (r.Start.Value, r.End.Value)));
    }

    [Fact]
    public void An_exact_fit_leaves_an_empty_region_and_no_split()
    {
        var b = new BootAllocator(XenProfile.Current, 64);
        b.InitBootPages(Pa(0x100), Pa(0x110));
        Assert.Equal(new Mfn(0x100), b.AllocBootPages(16, 16, PageUse.BootStructure, "all of it"));
        Assert.Equal([(0x100UL, 0x100UL)], Regions(b));
        Assert.Equal(MmError.OutOfMemory, Assert.Throws<XenMmException>(() => b.AllocBootPages(1, 1, PageUse.BootStructure, "more")).Error);
        Assert.Empty(b.End());
    }

    [Fact]
    public void Alignment_that_fits_nowhere_falls_through_to_lower_regions()
    {
        var b = new BootAllocator(XenProfile.Current, 64);
        b.InitBootPages(Pa(0x1000), Pa(0x1400));
        b.InitBootPages(Pa(0x2001), Pa(0x2100)); // no 512-aligned block of 256 pages
        Assert.Equal(new Mfn(0x1200), b.AllocBootPages(256, 512, PageUse.FrameTable, "aligned"));
        Assert.Equal([(0x1000UL, 0x1200UL), (0x1300UL, 0x1400UL), (0x2001UL, 0x2100UL)], Regions(b));
    }

    [Fact]
    public void Badpage_ranges_are_cut_out_of_every_range_added()
    {
        var b = new BootAllocator(XenProfile.Current, 64, XenCommandLine.Parse("badpage=0x105,0x110-0x111").BadPageRanges());
        b.InitBootPages(Pa(0x100), Pa(0x120));
        Assert.Equal([(0x100UL, 0x105UL), (0x106UL, 0x110UL), (0x112UL, 0x120UL)], Regions(b));
    }

    [Theory]
    [InlineData(64, 256)]
    [InlineData(32, 512)]
    public void The_region_array_holds_one_page_of_entries(int bitsPerLong, int capacity)
    {
        var b = new BootAllocator(XenProfile.Current, bitsPerLong);
        Assert.Equal(capacity, b.Capacity);
        for (var i = 0UL; i < (ulong)capacity; i++)
        {
            b.InitBootPages(Pa(0x1000 + (i * 4)), Pa(0x1002 + (i * 4)));
        }

        var before = Regions(b);
        var full = Assert.Throws<XenMmException>(() => b.InitBootPages(Pa(0x100000), Pa(0x100001)));
        Assert.Equal(MmError.LimitExceeded, full.Error);
        Assert.Contains("bootmem_region_add", full.Message, StringComparison.Ordinal);
        var split = Assert.Throws<XenMmException>(() => b.AllocBootPages(1, 2, PageUse.BootStructure, "split"));
        Assert.Equal(MmError.LimitExceeded, split.Error);
        Assert.Equal(before, Regions(b));
        Assert.Empty(b.Allocations);
    }

    [Fact]
    public void Refusals_change_nothing()
    {
        var b = new BootAllocator(XenProfile.Current, 64);
        b.InitBootPages(Pa(0x100), Pa(0x200));
        var overlap = Assert.Throws<XenMmException>(() => b.InitBootPages(Pa(0x1F0), Pa(0x300)));
        Assert.Equal(MmError.Overlap, overlap.Error);
        Assert.Contains("[0x1F0, 0x300)", overlap.Message, StringComparison.Ordinal);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => b.AllocBootPages(0, 1, PageUse.BootStructure, "none")).Error);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => b.AllocBootPages(1, 3, PageUse.BootStructure, "odd")).Error);
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => b.AllocBootPages(1, 1, (PageUse)99, "use")).Error);
        Assert.Equal(MmError.OutOfMemory, Assert.Throws<XenMmException>(() => b.AllocBootPages(0x101, 1, PageUse.BootStructure, "big")).Error);
        Assert.Equal([(0x100UL, 0x200UL)], Regions(b));
        Assert.Single(b.Inits);
        Assert.Empty(b.Allocations);
    }
}
