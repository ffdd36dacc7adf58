using XenMm.Arm64.Machine;
using XenMm.Machine;

namespace XenMm.Arm64.Tests.Machine;

/// <summary>Small boards for the arm64 boot tests.</summary>
internal static class Arm64Boards
{
    public static MachineOptions Banks(params (ulong Start, ulong Size)[] banks) => new()
    {
        Ram = [.. banks.Select(b => new MemoryRegion(new PhysAddr(b.Start), b.Size))],
        Cpus = 2,
    };

    public static XenMachine Boot(MachineOptions options, Arm64Options? arm64 = null)
    {
        var machine = new XenMachine(options, new Arm64Architecture(arm64));
        machine.Boot();
        return machine;
    }

    public static XenMachine Boot(params (ulong Start, ulong Size)[] banks) => Boot(Banks(banks));
}
