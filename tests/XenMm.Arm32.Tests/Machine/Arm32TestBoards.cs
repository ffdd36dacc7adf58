using XenMm.Arm32.Machine;
using XenMm.Machine;

namespace XenMm.Arm32.Tests.Machine;

/// <summary>Boards and helpers shared by the arm32 machine tests.</summary>
internal static class Arm32TestBoards
{
    public const ulong MiB = 1UL << 20;

    public static MemoryRegion Bank(ulong start, ulong size) => new(new PhysAddr(start), size);

    public static BootModule Module(BootModuleKind kind, ulong start, ulong size) => new(kind, new PhysAddr(start), size);

    /// <summary>xen-mm.md Example 1: 2 GiB at 0x8000_0000, a 64 KiB DTB at 0x8800_0000, one CPU.</summary>
    public static MachineOptions Example1(XenProfile profile)
    {
        var options = new MachineOptions
        {
            Ram = [Bank(0x8000_0000, 2UL << 30)],
            Modules = [Module(BootModuleKind.DeviceTree, 0x8800_0000, 0x1_0000)],
            Profile = profile,
        };
        if (profile == XenProfile.Current)
        {
            options.Modules.Add(Module(BootModuleKind.Xen, 0x8020_0000, 2 * MiB));
        }

        return options;
    }

    public static XenMachine Boot(MachineOptions options, Arm32Architecture? arch = null)
    {
        var machine = new XenMachine(options, arch ?? new Arm32Architecture());
        machine.Boot();
        return machine;
    }

    /// <summary>Every free chunk on the zone's lists as (head, order), in address order.</summary>
    public static (ulong Head, int Order)[] FreeChunks(XenMachine m, int zone) =>
        [.. Enumerable.Range(0, m.Heap.MaxOrder + 1)
            .SelectMany(o => m.Heap.FreeList(0, zone, o).Select(h => (h.Value, o)))
            .OrderBy(c => c.Value)];

    /// <summary>The naturally aligned power-of-two blocks that tile [s, e) greedily (what merging free pages gives when both neighbours are in use).</summary>
    public static (ulong Head, int Order)[] Tiling(ulong s, ulong e, int maxOrder)
    {
        var list = new List<(ulong, int)>();
        while (s < e)
        {
            var order = Math.Min(maxOrder, System.Numerics.BitOperations.Log2(e - s));
            if (s != 0)
            {
                order = Math.Min(order, System.Numerics.BitOperations.TrailingZeroCount(s));
            }

            list.Add((s, order));
            s += 1UL << order;
        }

        return [.. list];
    }

    /// <summary>Asserts the machine is consistent: empty audit, census without violations that adds up to RAM.</summary>
    public static void AssertConsistent(XenMachine m)
    {
        Assert.Empty(m.Audit());
        var census = m.Census();
        Assert.Empty(census.Violations);
        Assert.Equal(census.TotalRamPages, census.Pages.Values.Aggregate(0UL, (s, x) => s + x));
    }
}
