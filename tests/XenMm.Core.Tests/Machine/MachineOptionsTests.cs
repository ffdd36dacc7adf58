using XenMm.Machine;
using XenMm.Tests.Machine.Toy;

namespace XenMm.Tests.Machine;

/// <summary>Every option error names the setting, carries its MmError, and a machine is never created from bad options.</summary>
public sealed class MachineOptionsTests
{
    private static MachineOptions Good() => new()
    {
        Ram = [new MemoryRegion(new PhysAddr(0x4000_0000), 1UL << 30), new MemoryRegion(new PhysAddr(0x1_0000_0000), 1UL << 30)],
        Modules = [new BootModule(BootModuleKind.Kernel, new PhysAddr(0x4200_0000), 0x40)],
        Reserved = [new MemoryRegion(new PhysAddr(0x4400_0000), 0x1000)],
        Cpus = 2,
    };

    public static TheoryData<string, MmError, string> Cases => new()
    {
        { "no-ram", MmError.InvalidArgument, "Ram: a machine needs at least one RAM bank" },
        { "empty-bank", MmError.InvalidArgument, "Ram[1] at 0x100000000: size 0" },
        { "misaligned-bank", MmError.Misaligned, "Ram[0] [0x40000800" },
        { "bank-beyond-pa", MmError.InvalidAddress, "Ram[1] [0xFFFFFFF000, +0x2000) goes beyond the 40-bit" },
        { "overlapping-banks", MmError.Overlap, "Ram[1] [0x40001000, 0x40002000) overlaps Ram[0]" },
        { "module-outside-ram", MmError.InvalidAddress, "Modules[0] Kernel [0x90000000, 0x90001000): a boot module must lie inside one RAM bank" },
        { "module-across-banks", MmError.InvalidAddress, "Modules[0] Kernel [0x7FFFF000" },
        { "empty-module", MmError.InvalidArgument, "Modules[0] (Kernel) at 0x42000000: size 0" },
        { "two-xen-images", MmError.InvalidArgument, "more than one Xen module" },
        { "overlapping-modules", MmError.Overlap, "Modules[1] [0x42000000, 0x42000040) overlaps Modules[0]" },
        { "undefined-kind", MmError.InvalidArgument, "Modules[0]: module kind 42 is not defined" },
        { "empty-reserved", MmError.InvalidArgument, "Reserved[0] at 0x44000000: size 0" },
        { "zero-cpus", MmError.InvalidArgument, "Cpus: 0 is outside 1..128" },
        { "too-many-cpus", MmError.InvalidArgument, "Cpus: 129 is outside 1..128" },
        { "bad-profile", MmError.InvalidArgument, "Profile: 7 is not a XenMm profile" },
        { "null-cmdline", MmError.InvalidArgument, "CommandLine: null" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_options_are_refused_naming_the_setting(string name, MmError error, string message)
    {
        var o = Good();
        switch (name)
        {
            case "no-ram": o.Ram.Clear(); break;
            case "empty-bank": o.Ram[1] = new MemoryRegion(new PhysAddr(0x1_0000_0000), 0); break;
            case "misaligned-bank": o.Ram[0] = new MemoryRegion(new PhysAddr(0x4000_0800), 0x1000); o.Modules.Clear(); o.Reserved.Clear(); break;
            case "bank-beyond-pa": o.Ram[1] = new MemoryRegion(new PhysAddr(0xFF_FFFF_F000), 0x2000); break;
            case "overlapping-banks": o.Ram[1] = new MemoryRegion(new PhysAddr(0x4000_1000), 0x1000); break;
            case "module-outside-ram": o.Modules[0] = new BootModule(BootModuleKind.Kernel, new PhysAddr(0x9000_0000), 0x1000); break;
            case "module-across-banks": o.Ram[1] = new MemoryRegion(new PhysAddr(0x8000_0000), 1UL << 30); o.Modules[0] = new BootModule(BootModuleKind.Kernel, new PhysAddr(0x7FFF_F000), 0x2000); break;
            case "empty-module": o.Modules[0] = o.Modules[0] with { Size = 0 }; break;
            case "two-xen-images": o.Modules = [new(BootModuleKind.Xen, new PhysAddr(0x4001_0000), 0x1000), new(BootModuleKind.Xen, new PhysAddr(0x4002_0000), 0x1000)]; break;
            case "overlapping-modules": o.Modules.Add(new BootModule(BootModuleKind.Ramdisk, new PhysAddr(0x4200_0000), 0x40)); break;
            case "undefined-kind": o.Modules[0] = o.Modules[0] with { Kind = (BootModuleKind)42 }; break;
            case "empty-reserved": o.Reserved[0] = o.Reserved[0] with { Size = 0 }; break;
            case "zero-cpus": o.Cpus = 0; break;
            case "too-many-cpus": o.Cpus = 129; break;
            case "bad-profile": o.Profile = (XenProfile)7; break;
            case "null-cmdline": o.CommandLine = null!; break;
        }

        var ex = Assert.Throws<XenMmException>(() => new XenMachine(o, new ToyArchitecture()));
        Assert.Equal(error, ex.Error);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_options_validate_and_the_machine_keeps_its_own_copy()
    {
        var o = Good();
        var machine = new XenMachine(o, new ToyArchitecture());
        o.Ram.Clear();
        o.Cpus = 7;
        Assert.Equal(2, machine.Options.Ram.Count);
        Assert.Equal(2, machine.Options.Cpus);
    }

    [Fact]
    public void Xens_image_is_added_where_the_loader_puts_it_and_modules_take_Xens_order()
    {
        var o = Good();
        o.Modules.Add(new BootModule(BootModuleKind.DeviceTree, new PhysAddr(0x4800_0000), 0x10_0000));
        var machine = new XenMachine(o, new ToyArchitecture());
        Assert.Equal(
            [BootModuleKind.Xen, BootModuleKind.DeviceTree, BootModuleKind.Kernel],
            machine.Options.Modules.Select(m => m.Kind));
        Assert.Equal(new PhysAddr(0x4020_0000), machine.Options.Modules[0].Start);
    }

    [Fact]
    public void A_machine_that_has_not_booted_has_no_parts()
    {
        var machine = new XenMachine(Good(), new ToyArchitecture());
        Assert.False(machine.IsBooted);
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => machine.Heap).Error);
        Assert.Equal(MmError.InvalidState, Assert.Throws<XenMmException>(() => machine.Census()).Error);
    }
}
