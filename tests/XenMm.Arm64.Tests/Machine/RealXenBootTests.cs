using XenMm.Arm64.Machine;
using XenMm.Machine;

namespace XenMm.Arm64.Tests.Machine;

/// <summary>
/// The arm64 1 GiB QEMU boot of shared/reference/real-xen.md (Xen c447b7308b13, instrumented build), pinned exactly:
/// the early lines, every init_boot_pages range, every alloc_boot_pages and what end_boot_allocator sees.
/// </summary>
public class RealXenBootTests
{
    private static XenMachine Booted()
    {
        var arch = new Arm64Architecture();
        var machine = new XenMachine(arch.DefaultBoard(), arch);
        machine.Boot();
        return machine;
    }

    [Fact]
    public void Early_lines_are_real_xens()
    {
        var lines = Booted().BootLog.Where(l => l.FromXen).Select(l => l.Text).ToArray();
        Assert.Equal(
        [
            "RAM: 0000000040000000 - 000000007fffffff",
            "MODULE[0]: 0000000040200000 - 0000000040372fff Xen         ",
            "MODULE[1]: 0000000048000000 - 00000000480fffff Device Tree ",
            "MODULE[2]: 0000000042000000 - 000000004200004f Kernel      ",
            "Command line: console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all",
        ], lines.Take(5));
    }

    [Fact]
    public void Init_boot_pages_ranges_are_real_xens()
    {
        var inits = Booted().BootAllocator.Inits.Select(r => (r.Start.Value, r.End.Value)).ToArray();
        Assert.Equal(
        [
            (0x40000UL, 0x40200UL),
            (0x40373UL, 0x42000UL),
            (0x42001UL, 0x48000UL),
            (0x48100UL, 0x80000UL),
        ], inits);
    }

    [Fact]
    public void Alloc_boot_pages_calls_are_real_xens()
    {
        var allocs = Booted().BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)).ToArray();
        Assert.Equal(
        [
            (0x7ffffUL, 1UL, 1UL), // direct map: level-1 table for L0 slot 256
            (0x7f000UL, 3584UL, 512UL), // frame table: 14 MiB, 2 MiB-aligned
            (0x7fffeUL, 1UL, 1UL), // frame table: level-2 table
            (0x7fffdUL, 1UL, 1UL), // vm_init
            (0x7fffcUL, 1UL, 1UL),
            (0x7fffbUL, 1UL, 1UL),
        ], allocs);
    }

    [Fact]
    public void End_boot_allocator_sees_real_xens_regions()
    {
        var regions = Booted().BootRegionsAtEnd.Select(r => (r.Start.Value, r.End.Value)).ToArray();
        Assert.Equal(
        [
            (0x40000UL, 0x40200UL),
            (0x40373UL, 0x42000UL),
            (0x42001UL, 0x48000UL),
            (0x48100UL, 0x7f000UL),
            (0x7fe00UL, 0x7fffbUL),
        ], regions);
    }

    [Fact]
    public void Heap_holds_real_xens_pages_in_zone_19_only()
    {
        var machine = Booted();
        // real-xen.md: 241185 pages in zone 19 after Xen's later allocations; before them every free page is there.
        Assert.Equal(512UL + 7309 + 24575 + 225024 + 507, machine.Heap.TotalAvailPages);
        Assert.Equal(machine.Heap.TotalAvailPages, machine.Heap.Avail(0, 19));
        Assert.Equal(0UL, machine.Heap.Avail(0, 0));
        Assert.Empty(machine.Audit());
    }

    [Fact]
    public void QEMUs_own_blob_gives_the_same_boot()
    {
        var blob = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "virt-arm64.dtb"));
        var options = MachineOptions.FromDeviceTree(blob, new PhysAddr(0x4800_0000));
        var machine = new XenMachine(options, new Arm64Architecture());
        machine.Boot();
        var reference = Booted();

        Assert.Equal(reference.BootLog.Select(l => l.ToString()), machine.BootLog.Select(l => l.ToString()));
        Assert.Equal(reference.BootAllocator.Inits, machine.BootAllocator.Inits);
        Assert.Equal(reference.BootAllocator.Allocations.Select(a => (a.Mfn, a.Pages, a.Align)), machine.BootAllocator.Allocations.Select(a => (a.Mfn, a.Pages, a.Align)));
        Assert.Equal(reference.BootRegionsAtEnd, machine.BootRegionsAtEnd);
        Assert.Equal(2, machine.Cpus.Count);
        Assert.Empty(machine.Audit());
    }

    /// <summary>
    /// Two more QEMU boots of the same Xen build (shared/tools/real-xen, instrumented, arm64, <c>-m 3072</c> and
    /// <c>-m 5120</c>, same modules and command line), recorded 2026-12-02: above 32 MiB the frame table is
    /// 32 MiB-aligned, and with RAM past 4 GiB the direct map's first table covers 5 GiB.
    /// </summary>
    [Theory]
    [InlineData(3072UL, 0xfc000UL, 0x2a00UL, 0xfea00UL)]
    [InlineData(5120UL, 0x17a000UL, 0x4600UL, 0x17e600UL)]
    public void Larger_QEMU_boards_give_real_xens_sequence(ulong ramMb, ulong frameTable, ulong frameTablePages, ulong lastRegion)
    {
        var arch = new Arm64Architecture();
        var board = arch.DefaultBoard();
        board.Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), ramMb << 20)];
        var machine = new XenMachine(board, arch);
        machine.Boot();
        var end = 0x40000UL + (ramMb << 8);

        Assert.Equal($"RAM: 0000000040000000 - {(end << 12) - 1:x16}", machine.BootLog[0].Text);
        Assert.Equal(
            [(0x40000UL, 0x40200UL), (0x40373UL, 0x42000UL), (0x42001UL, 0x48000UL), (0x48100UL, end)],
            machine.BootAllocator.Inits.Select(r => (r.Start.Value, r.End.Value)));
        Assert.Equal(
            [(end - 1, 1UL, 1UL), (frameTable, frameTablePages, 0x2000UL), (end - 2, 1UL, 1UL), (end - 3, 1UL, 1UL), (end - 4, 1UL, 1UL), (end - 5, 1UL, 1UL)],
            machine.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal(
            [(0x40000UL, 0x40200UL), (0x40373UL, 0x42000UL), (0x42001UL, 0x48000UL), (0x48100UL, frameTable), (lastRegion, end - 5)],
            machine.BootRegionsAtEnd.Select(r => (r.Start.Value, r.End.Value)));
        Assert.Empty(machine.Audit());
    }

    /// <summary>
    /// The same build with the dom0 kernel loaded at the top of RAM (<c>guest-loader,addr=0x7ff00000</c>), recorded
    /// 2026-12-02: the kernel page splits the highest region, and the frame table comes from the region below it.
    /// </summary>
    [Fact]
    public void A_kernel_at_the_top_of_RAM_gives_real_xens_sequence()
    {
        var arch = new Arm64Architecture();
        var board = arch.DefaultBoard();
        board.Modules[2] = new BootModule(BootModuleKind.Kernel, new PhysAddr(0x7ff0_0000), 0x50);
        var machine = new XenMachine(board, arch);
        machine.Boot();

        Assert.Equal("MODULE[2]: 000000007ff00000 - 000000007ff0004f Kernel      ", machine.BootLog[3].Text);
        Assert.Equal(
            [(0x40000UL, 0x40200UL), (0x40373UL, 0x48000UL), (0x48100UL, 0x7ff00UL), (0x7ff01UL, 0x80000UL)],
            machine.BootAllocator.Inits.Select(r => (r.Start.Value, r.End.Value)));
        Assert.Equal(
            [(0x7ffffUL, 1UL, 1UL), (0x7f000UL, 0xe00UL, 0x200UL), (0x7fffeUL, 1UL, 1UL), (0x7fffdUL, 1UL, 1UL), (0x7fffcUL, 1UL, 1UL), (0x7fffbUL, 1UL, 1UL)],
            machine.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal(
            [(0x40000UL, 0x40200UL), (0x40373UL, 0x48000UL), (0x48100UL, 0x7f000UL), (0x7fe00UL, 0x7ff00UL), (0x7ff01UL, 0x7fffbUL)],
            machine.BootRegionsAtEnd.Select(r => (r.Start.Value, r.End.Value)));
        Assert.Empty(machine.Audit());
    }
}
