using XenMm.DeviceTree;
using XenMm.Machine;

namespace XenMm.Core.Tests.DeviceTree;

/// <summary>
/// Xen's early scan rules (common/device-tree/bootinfo-fdt.c, bootfdt.c, bootinfo.c), odd ones included, and every
/// case where Xen panics, which XenMm refuses with <see cref="MmError.InvalidDeviceTree"/>.
/// </summary>
public class BootScanTests
{
    private static FdtBuilder Root(uint ac = 1, uint sc = 1) =>
        new FdtBuilder().Begin("").Cells("#address-cells", ac).Cells("#size-cells", sc);

    private static FdtBuilder Memory(FdtBuilder b, params uint[] reg) =>
        b.Begin($"memory@{reg[0]:x}").Prop("device_type", "memory").Cells("reg", reg).End();

    private static FdtBuilder Module(FdtBuilder b, string name, string[] compatible, params uint[] reg) =>
        b.Begin(name).Prop("compatible", compatible).Cells("reg", reg).End();

    private static DeviceTreeBootInfo Read(FdtBuilder b) => DeviceTreeBootInfo.Read(b.End().Build());

    private static void Refused(FdtBuilder b, string fragment, int padding = 0)
    {
        var blob = b.End().Build(padding);
        var ex = Assert.Throws<XenMmException>(() => DeviceTreeBootInfo.Read(blob));
        Assert.Equal(MmError.InvalidDeviceTree, ex.Error);
        Assert.Contains(fragment, ex.Message);
    }

    private static readonly string[] Plain = ["multiboot,module"];

    [Fact]
    public void A_memory_node_without_reg_panics_xen() =>
        Refused(Root().Begin("memory@0").Prop("device_type", "memory").End(), "memory node 'memory@0' has no 'reg'");

    [Fact]
    public void Zero_cells_panic_xen() =>
        Refused(Memory(Root(ac: 0), 0x4000_0000, 0x1000), "invalid #address-cells 0 or #size-cells 1");

    [Fact]
    public void Three_cells_are_more_than_xen_reads() =>
        Refused(Memory(Root(ac: 3), 0, 0, 0x4000_0000, 0x1000), "needs 3-cell numbers; Xen reads 1 or 2");

    [Fact]
    public void More_than_256_memory_banks_panic_xen()
    {
        var reg = Enumerable.Range(0, 257).SelectMany(i => new[] { (uint)i << 20, 0x1000u }).ToArray();
        Refused(Memory(Root(), reg), "more than 256 memory banks");
    }

    [Fact]
    public void More_than_256_memreserve_entries_panic_xen()
    {
        var b = new FdtBuilder();
        for (uint i = 0; i < 257; i++)
            b.Reserve(i << 20, 0x1000);
        Refused(b.Begin(""), "byte 0x1028: more than 256 reserved regions (Xen: boot_fdt_info, \"Cannot allocate reserved memory bank\")");
    }

    [Fact]
    public void Overlapping_reserved_memory_panics_xen() =>
        Refused(Root().Begin("reserved-memory").Cells("#address-cells", 1).Cells("#size-cells", 1)
            .Begin("a").Cells("reg", 0x5000_0000, 0x2000).End().Begin("b").Cells("reg", 0x5000_1000, 0x2000).End().End(),
            "reserved region [0x50001000, 0x50003000) overlaps a reserved region or module");

    [Fact]
    public void Static_memory_and_static_shared_memory_need_config_options_defconfig_lacks()
    {
        Refused(Root().Begin("chosen").Begin("domU1").Prop("compatible", "xen,domain").Cells("xen,static-mem", 0x6000_0000, 0x1000).End().End(),
            "CONFIG_STATIC_MEMORY");
        Refused(Root().Begin("shm").Prop("compatible", "xen,domain-shared-memory-v1").End(), "CONFIG_STATIC_SHM");
    }

    [Fact]
    public void Module_without_reg_or_with_a_short_reg_panics_xen()
    {
        Refused(Root().Begin("chosen").Begin("m").Prop("compatible", Plain).End().End(), "module node 'm' has no 'reg'");
        Refused(Module(Root().Begin("chosen"), "m", Plain, 0x4200_0000).End(), "'reg' is 4 bytes, shorter than 1+1 cells");
    }

    [Fact]
    public void Module_command_lines_are_bounded_as_xen_bounds_them()
    {
        Refused(Root().Begin("chosen").Begin("m").Prop("compatible", Plain).Cells("reg", 1, 1).Prop("bootargs", new string('x', 1025)).End().End(),
            "module command line is 1025 bytes, longer than 1024");
        Refused(Root().Begin("chosen@" + new string('c', 40)).Begin("m").Prop("compatible", Plain).Cells("reg", 1, 1).Prop("bootargs", "x").End().End(),
            "longer than DT_MAX_NAME (41)");
    }

    [Fact]
    public void Initrd_properties_are_checked_as_xen_checks_them()
    {
        Refused(Root().Begin("chosen").Cells("linux,initrd-start", 0x4A00_0000).End(), "linux,initrd-end not present but -start was");
        Refused(Root().Begin("chosen").Prop("linux,initrd-start", new byte[3]).End(), "linux,initrd-start property has invalid length 3");
        Refused(Root().Begin("chosen").Cells("linux,initrd-start", 0x4A00_0000).Cells("linux,initrd-end", 0, 0x4A00_0000).End(),
            "linux,initrd limits invalid: 0x4A000000 >= 0x4A000000");
        var info = Read(Root().Begin("chosen").Cells("linux,initrd-start", 0, 0x4A00_0000).Cells("linux,initrd-end", 0x4A01_0000).End());
        Assert.Equal([new BootModule(BootModuleKind.Ramdisk, new PhysAddr(0x4A00_0000), 0x1_0000)], info.Modules);
    }

    [Fact]
    public void A_blob_above_xens_max_fdt_size_is_refused() =>
        Refused(Root(), "above Xen's MAX_FDT_SIZE (2097152)", padding: 2 * 1024 * 1024);

    [Fact]
    public void Reserved_memory_children_use_its_cells_or_xens_defaults_not_the_roots()
    {
        // Xen: device_tree_for_each_node starts its walk at /reserved-memory with the root defaults (2, 1).
        var info = Read(Root(ac: 1, sc: 1).Begin("reserved-memory").Begin("fw").Cells("reg", 0, 0x5000_0000, 0x1000).End().End());
        Assert.Equal([new MemoryRegion(new PhysAddr(0x5000_0000), 0x1000)], info.ReservedMemory);
    }

    [Fact]
    public void Reserved_memory_is_matched_case_blind_but_without_a_unit_address()
    {
        var upper = Read(Root().Begin("Reserved-Memory").Begin("fw").Cells("reg", 0, 0x5000_0000, 0x1000).End().End());
        Assert.Single(upper.ReservedMemory);
        var unit = Read(Root().Begin("reserved-memory@0").Begin("fw").Cells("reg", 0, 0x5000_0000, 0x1000).End().End());
        Assert.Empty(unit.ReservedMemory);
    }

    [Fact]
    public void Nodes_sixteen_deep_are_skipped()
    {
        // Relative depth 15 under /reserved-memory is read; 16 (DEVICE_TREE_MAX_DEPTH) is skipped.
        var b = Root().Begin("reserved-memory");
        for (int depth = 1; depth <= 16; depth++)
        {
            b.Begin($"n{depth}");
            if (depth >= 15)
                b.Cells("reg", 0, (uint)depth << 24, 0x1000);
        }
        for (int depth = 1; depth <= 16; depth++)
            b.End();
        var info = Read(b.End());
        Assert.Equal([new MemoryRegion(new PhysAddr(15u << 24), 0x1000)], info.ReservedMemory);
    }

    [Fact]
    public void Memory_nodes_follow_xens_name_type_and_status_rules()
    {
        var b = Root();
        b.Begin("memory").Prop("device_type", "memory").Cells("reg", 0x1000_0000, 0x1000).End(); // no unit address: counts
        b.Begin("memoryfoo").Prop("device_type", "memory").Cells("reg", 0x2000_0000, 0x1000).End();
        b.Begin("memory@3").Prop("device_type", "memory"u8.ToArray()).Cells("reg", 0x3000_0000, 0x1000).End(); // 6 bytes, no NUL
        b.Begin("memory@4").Prop("device_type", "memory").Prop("status", "okay").Cells("reg", 0x4000_0000, 0x1000).End();
        b.Begin("memory@5").Prop("device_type", "memory").Prop("status", "").Cells("reg", 0x5000_0000, 0x1000).End();
        b.Begin("memory@6").Prop("device_type", "memory").Prop("status", "ok").Cells("reg", 0x6000_0000, 0x1000, 0x7000_0000).End(); // trailing cell ignored
        var info = Read(b);
        Assert.Equal([0x1000_0000UL, 0x4000_0000, 0x6000_0000], info.MemoryBanks.Select(m => m.Start.Value));
    }

    [Fact]
    public void Module_compatible_is_case_blind_but_kind_is_case_exact()
    {
        // Xen: device_tree_node_compatible uses strcasecmp; fdt_node_to_kind uses fdt_node_check_compatible (memcmp).
        var info = Read(Module(Module(Root().Begin("chosen"), "a", ["MULTIBOOT,MODULE", "Multiboot,Ramdisk"], 0x4400_0000, 0x1000),
            "b", ["multiboot,ramdisk", "MultiBoot,Module"], 0x4500_0000, 0x1000).End());
        Assert.Equal([BootModuleKind.Kernel, BootModuleKind.Ramdisk], info.Modules.Select(m => m.Kind));
    }

    [Fact]
    public void Modules_are_looked_for_by_path_prefix_and_path_length()
    {
        // Xen: fdt_get_path into char path[92], then strncmp(path, "/chosen", 7).
        var b = Root().Begin("chosenfoo");
        Module(b, "m", Plain, 0x4400_0000, 0x1000).End();
        b.Begin("chosen");
        Module(b, new string('a', 83), Plain, 0x4500_0000, 0x1000); // "/chosen/" + 83: 92 bytes with the slashes
        Module(b, new string('b', 84), Plain, 0x4600_0000, 0x1000); // one too long: skipped
        var info = Read(b.End());
        Assert.Equal([0x4400_0000UL, 0x4500_0000], info.Modules.Select(m => m.Start.Value));
    }

    [Fact]
    public void Modules_over_reserved_regions_are_dropped_unless_inside_a_memreserve_entry()
    {
        var b = new FdtBuilder().Reserve(0x4400_0000, 0x10_0000)
            .Begin("").Cells("#address-cells", 1).Cells("#size-cells", 1).Begin("chosen");
        Module(b, "inside", ["multiboot,kernel", "multiboot,module"], 0x4400_0000, 0x1000);
        Module(b, "straddles", ["multiboot,ramdisk", "multiboot,module"], 0x440F_F000, 0x2000);
        Module(b, "zero1", ["multiboot,device-tree", "multiboot,module"], 0x4700_0000, 0);
        Module(b, "zero2", ["multiboot,device-tree", "multiboot,module"], 0x4700_0000, 0);
        var info = Read(b.End());
        // Xen: add_boot_module; the two empty modules of one kind at one start are merged (they overlap nothing).
        Assert.Equal(
            [new BootModule(BootModuleKind.Kernel, new PhysAddr(0x4400_0000), 0x1000), new BootModule(BootModuleKind.GuestDeviceTree, new PhysAddr(0x4700_0000), 0)],
            info.Modules);
    }

    [Fact]
    public void Xen_keeps_at_most_32_modules()
    {
        var b = Root().Begin("chosen");
        for (uint i = 0; i < 40; i++)
            Module(b, $"m{i}", ["multiboot,kernel", "multiboot,module"], 0x4000_0000 + (i << 20), 0x1000);
        var info = Read(b.End());
        Assert.Equal(32, info.Modules.Count);
        Assert.Equal(0x4000_0000UL + (31u << 20), info.Modules[^1].Start.Value);
    }

    [Fact]
    public void An_empty_xen_bootargs_is_an_empty_command_line_and_no_chosen_is_none()
    {
        Assert.Equal("", Read(Root().Begin("chosen").Prop("xen,xen-bootargs", Array.Empty<byte>()).End()).CommandLine);
        Assert.Null(Read(Root().Begin("chosenx").Prop("xen,xen-bootargs", "x").End()).CommandLine);
        Assert.Equal("y", Read(Root().Begin("chosen@0").Prop("xen,xen-bootargs", "y").End()).CommandLine);
    }

    [Fact]
    public void Static_heap_banks_are_kept_apart()
    {
        var info = Read(Root().Begin("chosen").Cells("xen,static-heap", 0x5000_0000, 0x10_0000).End());
        Assert.Equal([new MemoryRegion(new PhysAddr(0x5000_0000), 0x10_0000)], info.StaticHeap);
        Assert.Empty(info.ReservedMemory);
    }
}
