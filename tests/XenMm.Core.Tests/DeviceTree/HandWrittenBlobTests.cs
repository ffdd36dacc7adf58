using XenMm.DeviceTree;
using XenMm.Machine;

namespace XenMm.Core.Tests.DeviceTree;

/// <summary>The hand-written cases in Data/*.dts (compiled by Data/generate.sh), each read with exact values.</summary>
public class HandWrittenBlobTests
{
    private static MemoryRegion R(ulong start, ulong size) => new(new PhysAddr(start), size);

    private static BootModule M(BootModuleKind kind, ulong start, ulong size) => new(kind, new PhysAddr(start), size);

    [Fact]
    public void Two_memory_nodes_in_blob_order_and_sorted_as_xen_sorts_them()
    {
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("banks"));

        // The empty bank, the disabled node, memory-controller@, device_type "memoryx" and soc/memory@ (depth 2)
        // do not count (Xen: device_tree_is_memory_node, device_tree_get_meminfo).
        Assert.Equal([R(0x8000_0000, 0x4000_0000), R(0x4000_0000, 0x2000_0000)], info.MemoryBanks);
        Assert.Equal([R(0x4000_0000, 0x2000_0000), R(0x8000_0000, 0x4000_0000)], info.SortedMemoryBanks);
        Assert.Empty(info.Modules);
        Assert.Null(info.CommandLine);
    }

    [Fact]
    public void One_cell_addresses_memreserve_and_reserved_memory_children()
    {
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("cells1"));

        Assert.Equal([R(0x4000_0000, 0x1000_0000), R(0x6000_0000, 0x0800_0000)], info.MemoryBanks);
        Assert.Equal([R(0x4800_0000, 0x10_0000), R(0x5F00_0000, 0x1000)], info.MemReserve);
        // /reserved-memory has its own #address-cells = 2: fw and nested/deep use it; pool (no reg) and the disabled
        // child are skipped.
        Assert.Equal([R(0x5000_0000, 0x20_0000), R(0x5200_0000, 0x3000)], info.ReservedMemory);
        // The kernel lies inside a /memreserve/ entry, which Xen allows; the first ramdisk overlaps fw@50000000 and
        // is dropped (Xen: add_boot_module, check_reserved_regions_overlap).
        Assert.Equal([M(BootModuleKind.Kernel, 0x4801_0000, 0x1000), M(BootModuleKind.Ramdisk, 0x5800_0000, 0x2000)], info.Modules);
        Assert.Equal("console=dtuart", info.CommandLine);
    }

    [Fact]
    public void Xen_bootargs_win_over_bootargs()
    {
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("cmdline-xen"));

        Assert.Equal("dom0_mem=512M loglvl=all", info.CommandLine);
        Assert.Equal("console=hvc0", info.KernelCommandLine);
        Assert.Equal([M(BootModuleKind.Kernel, 0x4200_0000, 0x10_0000)], info.Modules);
    }

    [Fact]
    public void Bootargs_without_a_kernel_command_line_are_dom0s_so_xen_has_none()
    {
        // Xen: boot_fdt_cmdline falls back to bootargs only when the kernel module has bootargs or
        // xen,dom0-bootargs exists. The root has no #address-cells: Xen's defaults (2, 1) apply.
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("cmdline-none"));

        Assert.Null(info.CommandLine);
        Assert.Null(info.KernelCommandLine);
        Assert.Equal([M(BootModuleKind.Kernel, 0x4200_0000, 0x10_0000)], info.Modules);
    }

    [Fact]
    public void Bootargs_are_xens_when_dom0_bootargs_exist()
    {
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("cmdline-dom0"));

        Assert.Equal("console=dtuart", info.CommandLine);
        Assert.Empty(info.Modules);
    }

    [Fact]
    public void Module_kinds_by_compatible_by_position_and_by_domain()
    {
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("modules"));

        Assert.Equal(
            [
                M(BootModuleKind.Ramdisk, 0x4A00_0000, 0x10_0000), // /chosen linux,initrd-*, read before the children
                M(BootModuleKind.Kernel, 0x4400_0000, 0x80_0000), // first plain multiboot,module
                M(BootModuleKind.Ramdisk, 0x4500_0000, 0x1_0000), // second
                M(BootModuleKind.Other, 0x4600_0000, 0x4000), // third: Unknown
                M(BootModuleKind.Kernel, 0x4700_0000, 0x1000), // xen,linux-zimage
                M(BootModuleKind.Ramdisk, 0x4710_0000, 0x1000), // xen,linux-initrd
                M(BootModuleKind.XsmPolicy, 0x4720_0000, 0x1000),
                M(BootModuleKind.GuestDeviceTree, 0x4730_0000, 0x1000),
                // 'overlap' lies inside 'first' and is dropped; /elsewhere is not under /chosen.
                M(BootModuleKind.Kernel, 0x4800_0000, 0x20_0000), // domU1/kernel, with domU1's cells (2, 1)
            ],
            info.Modules);
        // The domU kernel's bootargs are not dom0's, and /chosen has no bootargs: Xen has no command line.
        Assert.Equal("root=/dev/ram0", info.KernelCommandLine);
        Assert.Null(info.CommandLine);
        Assert.Equal("DTB", info.Modules[7].KindName);
    }

    [Theory]
    [InlineData(0x4500_0000UL, 2)]
    [InlineData(0x4600_0000UL, 3)]
    [InlineData(0x4400_0000UL, -1)]
    public void Xsm_magic_makes_the_second_or_later_guessed_module_the_policy(ulong magicAt, int policyIndex)
    {
        // Xen: process_multiboot_node checks has_xsm_magic once kind_guess > 1, so never for the first unknown.
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load("modules"), a => a.Value == magicAt);

        var policies = info.Modules.Select((m, i) => (m, i)).Where(x => x.m.Kind == BootModuleKind.XsmPolicy && x.m.Start.Value < 0x4700_0000).Select(x => x.i);
        Assert.Equal(policyIndex < 0 ? [] : [policyIndex], policies);
    }

    [Fact]
    public void The_blob_module_follows_xen_and_drops_modules_it_overlaps()
    {
        // Loaded over the 'second' module: that module overlaps the Device Tree module and is dropped, and the
        // position rule still counted it (the third stays Unknown).
        var blob = TestBlobs.Load("modules");
        var info = DeviceTreeBootInfo.ReadLoadedAt(blob, new PhysAddr(0x4500_0000));

        Assert.Equal(M(BootModuleKind.DeviceTree, 0x4500_0000, (ulong)blob.Length), info.Modules[0]);
        Assert.DoesNotContain(info.Modules, m => m.Start.Value == 0x4500_0000 && m.Kind == BootModuleKind.Ramdisk);
        Assert.Contains(M(BootModuleKind.Other, 0x4600_0000, 0x4000), info.Modules);
    }

    [Fact]
    public void A_bad_load_address_is_refused()
    {
        var blob = TestBlobs.Load("banks");
        Assert.Equal(MmError.InvalidAddress, Assert.Throws<XenMmException>(() => DeviceTreeBootInfo.ReadLoadedAt(blob, new PhysAddr(0))).Error);
        var ex = Assert.Throws<XenMmException>(() => DeviceTreeBootInfo.ReadLoadedAt(blob, new PhysAddr(0x4800_0004)));
        Assert.Equal(MmError.Misaligned, ex.Error);
        Assert.Contains("MIN_FDT_ALIGN", ex.Message);
    }
}
