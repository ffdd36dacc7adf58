using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Machine;

/// <summary>The 2013 profile's boot through the same pipeline: setup_frametable_mappings, the region array's page, end_boot_allocator before vm_init.</summary>
public sealed class ToyBoot2013Tests
{
    [Fact]
    public void Boot_2013_orders_and_sizes_as_Xen_4_4()
    {
        var arch = new ToyArchitecture();
        var options = arch.DefaultBoard();
        options.Profile = XenProfile.Xen2013;
        var machine = new XenMachine(options, arch);
        machine.Boot();

        // The region array took the first page given to init_boot_pages, and was freed last.
        Assert.Equal(new Mfn(0x40000), machine.BootAllocator.RegionListPage);
        Assert.Equal(new MfnRange(new Mfn(0x40000), 1), machine.BootAllocator.Handover[^1]);

        // 2^18 entries of 32 bytes (8 MiB) rounded up to 32 MiB, 32 MiB-aligned; then the L2 table mapping it. vm_init
        // ran after end_boot_allocator, so its pages are the domheap's, not boot allocations.
        Assert.Equal(
            [(0x7E000UL, 8192UL, 8192UL, PageUse.FrameTable), (0x7DFFFUL, 1UL, 1UL, PageUse.PageTable)],
            machine.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align, a.Use)));
        Assert.Equal([new MfnRange(new Mfn(0x40001), 0x1FF), new MfnRange(new Mfn(0x40300), 0x7DFFF - 0x40300)], machine.BootRegionsAtEnd);

        var census = machine.Census();
        Assert.Empty(machine.Audit());
        Assert.Equal(8192UL, census[PageUse.FrameTable]);
        Assert.True(census[PageUse.Vmap] >= 1 && census[PageUse.PageTable] >= 2);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
    }
}
