using XenMm.Machine;
using XenMm.Core.Tests.DeviceTree;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Machine;

/// <summary>Machines built from the device tree a board hands Xen (QEMU virt's own blob, real-xen.md's arm32 set-up).</summary>
public sealed class DeviceTreeBootTests
{
    [Fact]
    public void Options_from_QEMUs_blob_are_what_Xen_reads()
    {
        var options = MachineOptions.FromDeviceTree(TestBlobs.Load("virt-arm32"), new PhysAddr(0x4800_0000));

        Assert.Equal([new MemoryRegion(new PhysAddr(0x4000_0000), 0x4000_0000)], options.Ram);
        Assert.Empty(options.Reserved);
        Assert.Equal(
            [new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000), new BootModule(BootModuleKind.Kernel, new PhysAddr(0x4200_0000), 0x40)],
            options.Modules);
        Assert.Equal("console=dtuart dtuart=/pl011@9000000 dom0_mem=64M loglvl=all guest_loglvl=all", options.CommandLine);
        Assert.Equal(2, options.Cpus);
    }

    [Fact]
    public void The_test_architecture_boots_from_a_blob_with_a_clean_census()
    {
        var arch = new ToyArchitecture();
        var options = MachineOptions.FromDeviceTree(TestBlobs.Load("virt-arm64"), new PhysAddr(0x4800_0000));
        var machine = new XenMachine(options, arch);
        machine.Boot();

        Assert.StartsWith("(XEN) MODULE[1]: 0000000048000000 - 00000000480fffff Device Tree", machine.BootLog[2].ToString(), StringComparison.Ordinal);
        Assert.Equal(2, machine.Cpus.Count);
        var census = machine.Census();
        Assert.Empty(machine.Audit());
        Assert.Equal(256UL + 256 + 1, census[PageUse.Module]); // Xen's image, the 1 MiB blob, the kernel's page
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (a, b) => a + b));
    }

    [Fact]
    public void A_damaged_blob_names_the_offset()
    {
        var blob = TestBlobs.Load("virt-arm32");
        blob[0] ^= 0xFF;
        var ex = Assert.Throws<XenMmException>(() => MachineOptions.FromDeviceTree(blob, new PhysAddr(0x4800_0000)));
        Assert.Equal(MmError.InvalidDeviceTree, ex.Error);
        Assert.Contains("byte 0x0", ex.Message, StringComparison.Ordinal);
    }
}
