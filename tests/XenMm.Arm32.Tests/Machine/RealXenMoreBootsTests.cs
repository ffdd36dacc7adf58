using XenMm.Arm32.Machine;
using XenMm.Machine;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>
/// Three more arm32 boots of the real Xen (c447b7308b13, instrumented, under QEMU virt with shared/tools/real-xen),
/// recorded in Machine/RealXen/*.txt: 2 GiB of RAM, a kernel at the top of 1 GiB, and 512 MiB with
/// xenheap_megabytes=48. XenMm prints the same lines and records the same boot-allocator sequence.
/// </summary>
public class RealXenMoreBootsTests
{
    private const string QemuCommandLine = "console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all";

    private static XenMachine Boot(ulong ramBytes, ulong kernelAt = 0x4200_0000, string? extra = null)
    {
        var arch = new Arm32Architecture();
        var options = arch.DefaultBoard();
        options.Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), ramBytes)];
        options.Modules = [new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000), new BootModule(BootModuleKind.Kernel, new PhysAddr(kernelAt), 0x40)];
        options.CommandLine = QemuCommandLine + (extra is null ? string.Empty : " " + extra);
        var machine = new XenMachine(options, arch);
        machine.Boot();
        Assert.Empty(machine.Audit());
        return machine;
    }

    private static (ulong, ulong)[] Ranges(IEnumerable<MfnRange> ranges) => [.. ranges.Select(r => (r.Start.Value, r.End.Value))];

    private static string[] HeapLines(XenMachine m) => [.. m.BootLog.Where(l => l.FromXen && l.Text.Contains(" heap: ", StringComparison.Ordinal)).Select(l => l.Text)];

    [Fact]
    public void Two_GiB()
    {
        var m = Boot(2UL << 30);
        Assert.Equal(["Xen heap: 00000000bc000000-00000000c0000000 (16384 pages)", "Dom heap: 507904 pages"], HeapLines(m));
        Assert.Equal([(0x40000UL, 0x40010UL), (0x4015f, 0x42000), (0x42001, 0x48000), (0x48100, 0xbc000)], Ranges(m.BootAllocator.Inits));
        Assert.Equal([(0xbbfffUL, 1UL, 1UL), (0xbae00, 0x1000, 0x200), (0xbbffe, 1, 1), (0xbbffd, 1, 1)], m.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal([(0x40000UL, 0x40010UL), (0x4015f, 0x42000), (0x42001, 0x48000), (0x48100, 0xbae00), (0xbbe00, 0xbbffd)], Ranges(m.BootRegionsAtEnd));
    }

    [Fact]
    public void A_kernel_at_the_top_pushes_the_xenheap_down_and_RAM_above_it_enters_the_boot_allocator()
    {
        var m = Boot(1UL << 30, kernelAt: 0x7FF0_0000);
        Assert.Equal(["Xen heap: 000000007c000000-000000007e000000 (8192 pages)", "Dom heap: 253952 pages"], HeapLines(m));
        Assert.Equal([(0x40000UL, 0x40010UL), (0x4015f, 0x48000), (0x48100, 0x7c000), (0x7e000, 0x7ff00), (0x7ff01, 0x80000)], Ranges(m.BootAllocator.Inits));
        Assert.Equal([(0x7ffffUL, 1UL, 1UL), (0x7f600, 0x800, 0x200), (0x7fffe, 1, 1), (0x7fffd, 1, 1)], m.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal(
            [(0x40000UL, 0x40010UL), (0x4015f, 0x48000), (0x48100, 0x7c000), (0x7e000, 0x7f600), (0x7fe00, 0x7ff00), (0x7ff01, 0x7fffd)],
            Ranges(m.BootRegionsAtEnd));
    }

    [Fact]
    public void Half_a_GiB_with_xenheap_megabytes_48_aligns_only_the_end()
    {
        var m = Boot(512UL << 20, extra: "xenheap_megabytes=48");
        Assert.Equal(["Xen heap: 000000005d000000-0000000060000000 (12288 pages, from command-line)", "Dom heap: 118784 pages"], HeapLines(m));
        Assert.Equal([(0x40000UL, 0x40010UL), (0x4015f, 0x42000), (0x42001, 0x48000), (0x48100, 0x5d000)], Ranges(m.BootAllocator.Inits));
        Assert.Equal([(0x5cfffUL, 1UL, 1UL), (0x5ca00, 0x400, 0x200), (0x5cffe, 1, 1), (0x5cffd, 1, 1)], m.BootAllocator.Allocations.Select(a => (a.Mfn.Value, a.Pages, a.Align)));
        Assert.Equal([(0x40000UL, 0x40010UL), (0x4015f, 0x42000), (0x42001, 0x48000), (0x48100, 0x5ca00), (0x5ce00, 0x5cffd)], Ranges(m.BootRegionsAtEnd));
    }
}
