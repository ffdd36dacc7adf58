using XenMm.Arm64.DirectMapping;
using XenMm.Arm64.Heap;
using XenMm.Machine;
using XenMm.PageTables;

namespace XenMm.Arm64.Tests.Machine;

/// <summary>arm64 boots of other boards: aligned banks, two banks with a hole, PDX compression, the 2013 profile.</summary>
public class Arm64BootTests
{
    private const ulong Gib = 1UL << 30;
    private const ulong DirectMap = 0x0000_8000_0000_0000;

    [Fact]
    public void Aligned_banks_are_mapped_with_1GiB_blocks_and_no_contig()
    {
        var machine = Arm64Boards.Boot((2 * Gib, 4 * Gib));
        var map = ((UnifiedHeapModel)machine.HeapModel).DirectMap;

        Assert.Equal(new VirtAddr(DirectMap), map.VirtStart);
        for (var gb = 0UL; gb < 4; gb++)
        {
            var t = machine.Mappings.Translate(new VirtAddr(DirectMap + (gb * Gib) + 0x1234));
            Assert.Equal(1, t.Level);
            Assert.False(t.Attributes.Contiguous); // 16 GiB would be needed
            Assert.Equal(0b01UL, t.Descriptor & 0b11);
            Assert.Equal(new PhysAddr((2 + gb) * Gib + 0x1234), t.PhysAddr);
        }

        Assert.True(machine.Mappings.Translate(new VirtAddr(DirectMap + (4 * Gib))).IsFault);
        Assert.Equal(new VirtAddr(DirectMap + (4 * Gib)), map.VirtEnd);
        AssertClean(machine);
    }

    [Fact]
    public void Two_banks_with_a_hole_leave_the_hole_unmapped_and_give_two_frame_table_chunks()
    {
        var machine = Arm64Boards.Boot((Gib, Gib), (3 * Gib, Gib));
        Assert.False(machine.FrameTable.Pdx.IsCompressed);

        Assert.Equal(new PhysAddr(3 * Gib), machine.Mappings.Translate(new VirtAddr(DirectMap + (2 * Gib))).PhysAddr);
        Assert.True(machine.Mappings.Translate(new VirtAddr(DirectMap + Gib)).IsFault);
        Assert.Equal(new VirtAddr(DirectMap + (2 * Gib) + 8), machine.HeapModel.MaddrToVirt(new PhysAddr(3 * Gib + 8)));
        Assert.Throws<XenMmException>(() => machine.HeapModel.MaddrToVirt(new PhysAddr(2 * Gib)));
        Assert.Throws<XenMmException>(() => machine.HeapModel.VirtToMaddr(new VirtAddr(DirectMap + Gib)));

        // init_frametable: one chunk per run of valid PDX groups (1 GiB each on arm64), 14 MiB each, 2 MiB-aligned.
        var chunks = machine.BootAllocator.Allocations.Where(a => a.Use == PageUse.FrameTable).ToArray();
        Assert.Equal(2, chunks.Length);
        Assert.All(chunks, c => Assert.Equal((3584UL, 512UL), (c.Pages, c.Align)));
        AssertClean(machine);
    }

    [Fact]
    public void PDX_compression_squeezes_the_hole_out_of_the_direct_map()
    {
        // A Juno-like board: 2 GiB at 2 GiB and 2 GiB at 34 GiB; bits 20-22 of the MFN are always zero.
        var machine = Arm64Boards.Boot((2 * Gib, 2 * Gib), (0x8_8000_0000, 2 * Gib));
        var pdx = machine.FrameTable.Pdx;
        Assert.True(pdx.IsCompressed);
        Assert.Equal(3, pdx.HoleShift);
        Assert.Equal(new Pdx(0x180000), pdx.ToPdx(new Mfn(0x880000)));

        // maddr_to_virt = XENHEAP_VIRT_START - (directmap_base_pdx << 12) + (pdx << 12 | offset).
        var va = machine.HeapModel.MaddrToVirt(new PhysAddr(0x8_8000_0123));
        Assert.Equal(new VirtAddr(DirectMap + (4 * Gib) + 0x123), va);
        Assert.Equal(new PhysAddr(0x8_8000_0123), machine.HeapModel.VirtToMaddr(va));
        var t = machine.Mappings.Translate(va);
        Assert.Equal((1, new PhysAddr(0x8_8000_0123)), (t.Level, t.PhysAddr));
        Assert.True(machine.Mappings.Translate(new VirtAddr(DirectMap + (6 * Gib))).IsFault);
        AssertClean(machine);
    }

    [Fact]
    public void Every_CPU_shares_the_boot_CPUs_tables()
    {
        var machine = Arm64Boards.Boot((Gib, Gib));
        Assert.Equal(2, machine.Cpus.Count);
        Assert.Equal(machine.Cpus[0].Root, machine.Cpus[1].Root);
        Assert.Same(machine.Cpus[0].Mappings, machine.Cpus[1].Mappings);
    }

    [Fact]
    public void Xens_static_tables_come_from_its_image_and_map_it_page_by_page()
    {
        var machine = Arm64Boards.Boot((Gib, Gib));
        Assert.Equal(
            ["xen_pgtable", "xen_first", "xen_second", "xen_xenmap[0]", "xen_xenmap[1]", "xen_xenmap[2]", "xen_xenmap[3]", "xen_fixmap", "xen_first_id", "xen_second_id", "xen_third_id"],
            machine.ImagePages.Select(p => p.Purpose));
        var image = machine.Options.Modules[0];
        Assert.Equal(new BootModule(BootModuleKind.Xen, new PhysAddr(Gib + 0x20_0000), 0x17_3000), image); // DefaultXenImage
        var t = machine.Mappings.Translate(new VirtAddr(0x0000_0A00_0020_0000 + 0x5000));
        Assert.Equal((3, image.Start + 0x5000), (t.Level, t.PhysAddr));
        Assert.True(machine.Mappings.Translate(new VirtAddr(0x0000_0A00_0020_0000 + image.Size)).IsFault);

        // The runtime identity-map tables are linked at the image's physical address but map nothing.
        Assert.True(machine.Mappings.Translate(new VirtAddr(image.Start.Value)).IsFault);
    }

    [Fact]
    public void The_device_tree_is_mapped_read_only_at_BOOT_FDT_VIRT_START()
    {
        var arch = new XenMm.Arm64.Machine.Arm64Architecture();
        var board = arch.DefaultBoard();
        board.Modules[1] = new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x481F_F000), 0x2000); // crosses 2 MiB
        var machine = new XenMachine(board, arch);
        machine.Boot();

        var t = machine.Mappings.Translate(new VirtAddr(0x0000_0A00_00C0_0000 + 0x1F_F010));
        Assert.Equal((2, new PhysAddr(0x481F_F010), true), (t.Level, t.PhysAddr, t.Attributes.ReadOnly));
        Assert.Equal(new PhysAddr(0x4820_0000), machine.Mappings.Translate(new VirtAddr(0x0000_0A00_00E0_0000)).PhysAddr);
        Assert.Equal(6, machine.BootAllocator.Allocations.Count); // xen_second is static: no table page needed
    }

    [Fact]
    public void The_2013_profile_boots_with_44s_layout_blocks_and_xenheap_bits()
    {
        var options = Arm64Boards.Banks((Gib, 2 * Gib));
        options.Profile = XenProfile.Xen2013;
        options.Modules.Add(new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000));
        var machine = Arm64Boards.Boot(options);
        var model = (UnifiedHeapModel)machine.HeapModel;

        Assert.Equal("arm64-4.4", machine.Layout.Name);
        Assert.Equal(new VirtAddr(DirectMap), model.XenheapVirtStart);
        Assert.Equal(20 + 12, model.XenheapBits); // Xen 4.4: fls(0xC0000) + PAGE_SHIFT, the exclusive end of RAM
        Assert.Contains(machine.ImagePages, p => p.Purpose == "xenheap_first_first");
        var t = machine.Mappings.Translate(new VirtAddr(DirectMap + Gib + 0x42));
        Assert.Equal((1, new PhysAddr((2 * Gib) + 0x42)), (t.Level, t.PhysAddr));

        // 4.4 copies the device tree (256 pages), then allocates the frame table: 32 MiB, 32 MiB-aligned.
        var allocations = machine.BootAllocator.Allocations;
        Assert.Equal((256UL, 1UL, PageUse.BootStructure), (allocations[0].Pages, allocations[0].Align, allocations[0].Use));
        Assert.Equal((8192UL, 8192UL, PageUse.FrameTable), (allocations[1].Pages, allocations[1].Align, allocations[1].Use));
        AssertClean(machine);
    }

    internal static void AssertClean(XenMachine machine)
    {
        Assert.Empty(machine.Audit());
        var census = machine.Census();
        Assert.Empty(census.Violations);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
        Assert.Equal(0UL, machine.Heap.Avail(0, 0));
    }
}
