using XenMm.Arm64.Machine;
using XenMm.Machine;

namespace XenMm.Arm64.Tests.Machine;

/// <summary>Every way an arm64 boot panics: Xen's words, and a machine left unbooted.</summary>
public class Arm64BootErrorTests
{
    private const ulong Gib = 1UL << 30;

    public static TheoryData<string, string> Panics() => new()
    {
        // arm64/mmu/mm.c setup_directmap_mappings: more than 5 TiB of PDX from the first bank.
        { "directmap", "Direct map is too small" },
        // mmu/mm.c init_frametable: more than 32 GiB / 56 bytes of frame-table entries.
        { "frametable", "Frametable too small" },
        // arm64/mmu/mm.c prepare_runtime_identity_mapping: Xen's image above L0 slot 19.
        { "identity", "Cannot handle ID mapping above 10TB" },
        // setup_directmap_mappings: map_pages_to_xen failed (here: no boot page left for a table).
        { "no-table-page", "Unable to setup the directmap mappings." },
        // The linker script's ASSERT(_end - _start <= XEN_VIRT_SIZE).
        { "image-too-big", "does not fit XEN_VIRT_SIZE" },
        { "image-unaligned", "Xen's image must start on a page" },
        // mmu/setup.c early_fdt_map (start_xen panics on its NULL).
        { "fdt-too-big", "Invalid device tree blob at physical address 0x48000000" },
        { "fdt-unaligned", "The DTB must be 8-byte aligned" },
        // Xen 4.4: the first bank must be 1 GiB-aligned, and sparse banks are dropped (XenMm refuses).
        { "2013-unaligned", "is not 1 GiB-aligned" },
        { "2013-sparse", "only using 1 out of 2 memory banks" },
    };

    [Theory]
    [MemberData(nameof(Panics))]
    public void A_panic_leaves_the_machine_unbooted(string board, string xenSays)
    {
        var machine = new XenMachine(Board(board), new Arm64Architecture());
        var ex = Assert.Throws<XenMmException>(machine.Boot);

        Assert.Equal(MmError.BootFailed, ex.Error);
        Assert.Contains(xenSays, ex.Message, StringComparison.Ordinal);
        Assert.False(machine.IsBooted);
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => machine.Heap).Error);
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => machine.BootLog).Error);

        // The same board fails the same way again: nothing of the first attempt stayed behind.
        Assert.Equal(ex.Message, Assert.Throws<XenMmException>(machine.Boot).Message);
    }

    [Fact]
    public void The_largest_frame_table_boots_and_one_page_more_does_not()
    {
        // FRAMETABLE_NR = 32 GiB / 56 = 613,566,756 entries from frametable_base_pdx (0x40000 here).
        var max = Arm64Boards.Banks((Gib, 613_566_756UL << 12));
        max.Cpus = 1;
        var machine = Arm64Boards.Boot(max);

        // The frame table fills its 32 GiB exactly (32 MiB-aligned); the audit of this machine runs in
        // bench/XenMm.Bench boot-max --check (seconds, not a unit test's budget).
        var frameTable = Assert.Single(machine.BootAllocator.Allocations, a => a.Use == PageUse.FrameTable);
        Assert.Equal(((32UL << 30) >> 12, 8192UL), (frameTable.Pages, frameTable.Align));
        Assert.Equal(0UL, machine.Heap.Avail(0, 0));
        Assert.True(machine.Heap.TotalAvailPages > 613_566_756UL - frameTable.Pages - 1024);
    }

    private static MachineOptions Board(string name)
    {
        switch (name)
        {
            case "directmap":
                return Arm64Boards.Banks((Gib, (5UL << 40) + Gib));
            case "frametable":
                return Arm64Boards.Banks((Gib, (613_566_756UL + 1) << 12));
            case "identity":
                return Arm64Boards.Banks((10UL << 40, Gib));
            case "no-table-page":
                var full = Arm64Boards.Banks((Gib, 4UL << 20));
                full.Modules.Add(new BootModule(BootModuleKind.Xen, new PhysAddr(Gib), 4UL << 20));
                return full;
            case "image-too-big":
                var big = Arm64Boards.Banks((Gib, Gib));
                big.Modules.Add(new BootModule(BootModuleKind.Xen, new PhysAddr(Gib + (2UL << 20)), 9UL << 20));
                return big;
            case "image-unaligned":
                var odd = Arm64Boards.Banks((Gib, Gib));
                odd.Modules.Add(new BootModule(BootModuleKind.Xen, new PhysAddr(Gib + 0x20_0800), 0x17_3000));
                return odd;
            case "fdt-too-big":
                var bigFdt = Arm64Boards.Banks((Gib, Gib));
                bigFdt.Modules.Add(new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), (2UL << 20) + 1));
                return bigFdt;
            case "fdt-unaligned":
                var oddFdt = Arm64Boards.Banks((Gib, Gib));
                oddFdt.Modules.Add(new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0004), 0x1000));
                return oddFdt;
            case "2013-unaligned":
                var unaligned = Arm64Boards.Banks((0xA000_0000, Gib));
                unaligned.Profile = XenProfile.Xen2013;
                return unaligned;
            case "2013-sparse":
                var sparse = Arm64Boards.Banks((Gib, Gib), (8 * Gib, Gib));
                sparse.Profile = XenProfile.Xen2013;
                return sparse;
            default:
                throw new ArgumentOutOfRangeException(nameof(name));
        }
    }
}
