using XenMm.Arm32.Machine;
using XenMm.Machine;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>
/// The three arm32 boots of shared/reference/real-xen.md (Xen c447b7308b13 under QEMU virt, instrumented page_alloc.c):
/// the printed lines, every init_boot_pages range, every alloc_boot_pages and the regions end_boot_allocator sees.
/// </summary>
public class RealXenBootTests
{
    private static XenMachine Boot(string? extra = null, ulong ramBytes = 1UL << 30)
    {
        var arch = new Arm32Architecture();
        var options = arch.DefaultBoard();
        options.Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), ramBytes)];
        if (extra is not null)
        {
            options.CommandLine += " " + extra;
        }

        var machine = new XenMachine(options, arch);
        machine.Boot();
        return machine;
    }

    private static (ulong, ulong) R(ulong s, ulong e) => (s, e);

    private static (ulong S, ulong E)[] Ranges(IEnumerable<MfnRange> ranges) => [.. ranges.Select(r => (r.Start.Value, r.End.Value))];

    private static string[] XenLines(XenMachine m) => [.. m.BootLog.Where(l => l.FromXen).Select(l => l.Text)];

    [Fact]
    public void Default_board_1GiB_prints_Xens_lines()
    {
        var m = Boot();
        var lines = XenLines(m);
        Assert.Equal(
            [
                "RAM: 0000000040000000 - 000000007fffffff",
                "MODULE[0]: 0000000040010000 - 000000004015efff Xen         ",
                "MODULE[1]: 0000000048000000 - 00000000480fffff Device Tree ",
                "MODULE[2]: 0000000042000000 - 000000004200003f Kernel      ",
                "Command line: console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all",
                "Xen heap: 000000007e000000-0000000080000000 (8192 pages)",
                "Dom heap: 253952 pages",
            ],
            lines.Take(7));
    }

    [Fact]
    public void Default_board_1GiB_boot_allocator_sequence()
    {
        var m = Boot();
        Assert.Equal([R(0x40000, 0x40010), R(0x4015f, 0x42000), R(0x42001, 0x48000), R(0x48100, 0x7e000)], Ranges(m.BootAllocator.Inits));
        Assert.Equal(
            [(0x7dfffUL, 1UL, 1UL), (0x7d600, 2048, 512), (0x7dffe, 1, 1), (0x7dffd, 1, 1)],
            m.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal(
            [R(0x40000, 0x40010), R(0x4015f, 0x42000), R(0x42001, 0x48000), R(0x48100, 0x7d600), R(0x7de00, 0x7dffd)],
            Ranges(m.BootRegionsAtEnd));
    }

    [Fact]
    public void Default_board_xenheap_megabytes_100()
    {
        var m = Boot("xenheap_megabytes=100");
        var lines = XenLines(m);
        Assert.Contains("Command line: console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all xenheap_megabytes=100", lines);
        Assert.Contains("Xen heap: 0000000079c00000-0000000080000000 (25600 pages, from command-line)", lines);
        Assert.Contains("Dom heap: 236544 pages", lines);
        Assert.Equal([R(0x40000, 0x40010), R(0x4015f, 0x42000), R(0x42001, 0x48000), R(0x48100, 0x79c00)], Ranges(m.BootAllocator.Inits));
        Assert.Equal(
            [(0x79bffUL, 1UL, 1UL), (0x79200, 2048, 512), (0x79bfe, 1, 1), (0x79bfd, 1, 1)],
            m.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal(
            [R(0x40000, 0x40010), R(0x4015f, 0x42000), R(0x42001, 0x48000), R(0x48100, 0x79200), R(0x79a00, 0x79bfd)],
            Ranges(m.BootRegionsAtEnd));
    }

    [Fact]
    public void Default_board_boots_with_a_clean_audit_and_census()
    {
        var m = new XenMachine(new Arm32Architecture().DefaultBoard(), new Arm32Architecture());
        m.Boot();
        Assert.Empty(m.Audit());
        var census = m.Census();
        Assert.Empty(census.Violations);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (s, x) => s + x));
        Assert.Equal(2UL, census[PageUse.Buffer]);
        Assert.Equal(2, m.Cpus.Count);

        // Zone 0 holds the xenheap less its two buffer pages and CPU 1's root and dommap (3 pages).
        Assert.Equal(8190UL - 3, m.Heap.Avail(0, 0));
        Assert.Equal(3UL, census[PageUse.Xenheap]);
    }

    [Fact]
    public void QEMUs_device_tree_blob_boots_exactly_as_the_default_board()
    {
        var blob = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "virt-arm32.dtb"));
        var options = MachineOptions.FromDeviceTree(blob, new PhysAddr(0x4800_0000));
        var fromBlob = new XenMachine(options, new Arm32Architecture());
        fromBlob.Boot();
        var board = Boot();
        Assert.Equal(XenLines(board), XenLines(fromBlob));
        Assert.Equal(board.BootAllocator.Inits, fromBlob.BootAllocator.Inits);
        Assert.Equal(
            board.BootAllocator.Allocations.Select(a => (a.Mfn, a.Pages, a.Align)),
            fromBlob.BootAllocator.Allocations.Select(a => (a.Mfn, a.Pages, a.Align)));
        Assert.Equal(board.BootRegionsAtEnd, fromBlob.BootRegionsAtEnd);
        Assert.Empty(fromBlob.Audit());
    }
}
