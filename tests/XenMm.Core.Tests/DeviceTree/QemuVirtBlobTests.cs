using XenMm.DeviceTree;
using XenMm.Machine;

namespace XenMm.Core.Tests.DeviceTree;

/// <summary>
/// The blobs QEMU's virt machine hands Xen (Data/virt-arm32.dts, virt-arm64.dts: real-xen.md's command lines),
/// read as Xen reads them. The MODULE lines and the command line are those real-xen.md records from the real Xen.
/// </summary>
public class QemuVirtBlobTests
{
    private const string Append = "console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all";

    [Theory]
    [InlineData("virt-arm32", 0x40UL)]
    [InlineData("virt-arm64", 0x50UL)]
    public void Reads_ram_the_dom0_module_and_xens_command_line(string name, ulong kernelSize)
    {
        var info = DeviceTreeBootInfo.Read(TestBlobs.Load(name));

        Assert.Equal(0x10_0000u, info.TotalSize);
        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 0x4000_0000)], info.MemoryBanks);
        Assert.Equal(info.MemoryBanks, info.SortedMemoryBanks);
        Assert.Empty(info.MemReserve);
        Assert.Empty(info.ReservedMemory);
        Assert.Empty(info.StaticHeap);
        Assert.Equal([new BootModule(BootModuleKind.Kernel, new PhysAddr(0x4200_0000), kernelSize)], info.Modules);
        // No xen,xen-bootargs: Xen takes 'bootargs' because the kernel module carries its own command line.
        Assert.Equal(Append, info.CommandLine);
        Assert.Equal("console=hvc0", info.KernelCommandLine);
    }

    [Fact]
    public void Loaded_at_0x48000000_after_xen_gives_real_xens_module_list_on_arm32()
    {
        // real-xen.md, arm32 1 GiB: MODULE[0] Xen 40010000-4015efff, [1] Device Tree 48000000-480fffff, [2] Kernel 42000000-4200003f.
        var xen = new BootModule(BootModuleKind.Xen, new PhysAddr(0x4001_0000), 0x14_F000);
        var info = DeviceTreeBootInfo.ReadLoadedAt(TestBlobs.Load("virt-arm32"), new PhysAddr(0x4800_0000), xen);

        Assert.Equal(
            ["Xen [0x40010000, 0x4015F000)", "Device Tree [0x48000000, 0x48100000)", "Kernel [0x42000000, 0x42000040)"],
            info.Modules.Select(m => m.ToString()));
    }

    [Fact]
    public void Loaded_at_0x48000000_after_xen_gives_real_xens_module_list_on_arm64()
    {
        // real-xen.md, arm64 1 GiB: MODULE[0] Xen 40200000-40372fff, [1] Device Tree 48000000-480fffff, [2] Kernel 42000000-4200004f.
        var xen = new BootModule(BootModuleKind.Xen, new PhysAddr(0x4020_0000), 0x17_3000);
        var info = DeviceTreeBootInfo.ReadLoadedAt(TestBlobs.Load("virt-arm64"), new PhysAddr(0x4800_0000), xen);

        Assert.Equal(
            [BootModuleKind.Xen, BootModuleKind.DeviceTree, BootModuleKind.Kernel],
            info.Modules.Select(m => m.Kind));
        Assert.Equal(new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000), info.Modules[1]);
        Assert.Equal(0x4200_0050UL, info.Modules[2].End);
    }

    [Fact]
    public void The_parsed_tree_has_qemus_header_and_nodes()
    {
        var tree = FlattenedDeviceTree.Parse(TestBlobs.Load("virt-arm32"));

        Assert.Equal((17u, 16u, 0u), (tree.Version, tree.LastCompatibleVersion, tree.BootCpuId));
        Assert.Empty(tree.MemoryReservations);
        var chosen = Assert.Single(tree.Root.Children, n => n.Name == "chosen");
        var module = Assert.Single(chosen.Children);
        Assert.Equal("/chosen/module@0x42000000", module.Path);
        Assert.True(module.TryGetProperty("compatible", out var compatible));
        Assert.Equal("multiboot,module\0multiboot,kernel\0"u8.ToArray(), compatible.Value.ToArray());
        Assert.Equal("console=hvc0", Assert.Single(module.Properties, p => p.Name == "bootargs").AsString());
        Assert.Equal(2, module.Depth);
        Assert.Equal(chosen, module.Parent);
        Assert.Equal(tree.NodeCount, tree.Nodes.Count());
        Assert.Equal(chosen, tree.GetNode(chosen.Index));
        Assert.Equal(MmError.InvalidArgument, Assert.Throws<XenMmException>(() => tree.GetNode(tree.NodeCount)).Error);
    }
}
