using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Machine;

/// <summary>The test-only architecture booting through the machine pipeline: the boot allocator's exact record, the log, the census.</summary>
public sealed class ToyBootTests
{
    private static XenMachine BootDefault(Action<MachineOptions>? change = null)
    {
        var arch = new ToyArchitecture();
        var options = arch.DefaultBoard();
        change?.Invoke(options);
        var machine = new XenMachine(options, arch);
        machine.Boot();
        return machine;
    }

    [Fact]
    public void Default_board_records_Xens_boot_allocator_sequence()
    {
        var machine = BootDefault();

        // populate_boot_allocator: RAM minus Xen's image [0x40200000, 0x40300000).
        Assert.Equal([new MfnRange(new Mfn(0x40000), 0x200), new MfnRange(new Mfn(0x40300), 0x3FD00)], machine.BootAllocator.Inits);

        // init_frametable: 2^18 entries of 32 bytes = 8 MiB, 2 MiB-aligned, top-down; then the L2 table that maps it,
        // vm_init's bitmap page and the L2 and L3 tables that map the bitmap (the direct map is one level-1 block).
        Assert.Equal(
            [(0x7F800UL, 2048UL, 512UL, PageUse.FrameTable), (0x7F7FFUL, 1UL, 1UL, PageUse.PageTable), (0x7F7FEUL, 1UL, 1UL, PageUse.Vmap),
             (0x7F7FDUL, 1UL, 1UL, PageUse.PageTable), (0x7F7FCUL, 1UL, 1UL, PageUse.PageTable)],
            machine.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align, a.Use)));
        Assert.Equal([new MfnRange(new Mfn(0x40000), 0x200), new MfnRange(new Mfn(0x40300), 0x7F7FC - 0x40300)], machine.BootRegionsAtEnd);

        // end_boot_allocator: the first region first, then the rest from the highest down.
        Assert.Equal(machine.BootRegionsAtEnd, machine.BootAllocator.Handover);
    }

    [Fact]
    public void Default_board_log_is_Xens_lines_then_xenmm_notes()
    {
        var machine = BootDefault(o => o.CommandLine = "console=dtuart xenheap_megabytes=0x");

        Assert.Equal(
        [
            "(XEN) RAM: 0000000040000000 - 000000007fffffff",
            "(XEN) MODULE[0]: 0000000040200000 - 00000000402fffff Xen         ",
            "(XEN) Command line: console=dtuart xenheap_megabytes=0x",
            "(XEN) parameter \"xenheap_megabytes\" has invalid value \"0x\", rc=-22!",
            "(xenmm) toy: direct map of 262144 pages at 0x4000000000",
            "(XEN) Domain heap initialised",
        ],
            machine.BootLog.Select(l => l.ToString()));
    }

    [Fact]
    public void Census_places_every_page_once_after_boot()
    {
        var machine = BootDefault();
        var census = machine.Census();

        Assert.Empty(census.Violations);
        Assert.Equal(262144UL, census.TotalRamPages);
        Assert.Equal(2048UL, census[PageUse.FrameTable]);
        Assert.Equal(3UL, census[PageUse.PageTable]);
        Assert.Equal(1UL, census[PageUse.Vmap]);
        Assert.Equal(256UL, census[PageUse.Module]);
        Assert.Equal(262144UL - 2048 - 3 - 1 - 256, census[PageUse.Free]);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(census[PageUse.Free], machine.Heap.TotalAvailPages);
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void Secondary_cpus_share_the_boot_cpus_tables()
    {
        var machine = BootDefault();

        Assert.Equal(2, machine.Cpus.Count);
        Assert.Equal(machine.Cpus[0].Root, machine.Cpus[1].Root);
        Assert.Same(machine.Cpus[0].Mappings, machine.Cpus[1].Mappings);
        Assert.Equal(new Mfn(0x402FF).ToPhysAddr(), machine.Cpus[0].Root);
        Assert.Equal(["toy root table"], machine.ImagePages.Select(p => p.Purpose));
    }
}
