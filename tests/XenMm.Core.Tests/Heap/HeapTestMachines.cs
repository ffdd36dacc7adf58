using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Core.Tests.Heap;

internal static class HeapTestMachines
{
    /// <summary>A heap over one RAM bank of <paramref name="pages"/> pages at <paramref name="baseMfn"/>, nothing freed yet.</summary>
    public static BuddyHeap Empty(ulong baseMfn, ulong pages, HeapConfig? config = null) =>
        new([new RamBank(new Mfn(baseMfn).ToPhysAddr(), pages << Addressing.PageShift)], config ?? HeapConfig.Arm64);

    public static Mfn M(ulong value) => new(value);

    /// <summary>A heap whose first <paramref name="initPages"/> pages were given to it and then all taken as order-0 allocations.</summary>
    public static BuddyHeap AllAllocated(ulong baseMfn, ulong pages, ulong initPages, HeapConfig? config = null)
    {
        var heap = Empty(baseMfn, pages, config);
        heap.InitHeapPages(M(baseMfn), initPages);
        for (ulong i = 0; i < initPages; i++)
        {
            Assert.True(heap.TryAlloc(1, heap.NrZones - 1, 0, MemFlags.None, out _));
        }

        return heap;
    }

    /// <summary>Every non-empty list of node 0 as "zone/order: mfn mfn ..." lines, head first.</summary>
    public static string Lists(BuddyHeap heap)
    {
        var lines = new List<string>();
        for (int z = 0; z < heap.NrZones; z++)
        {
            for (int o = 0; o <= heap.MaxOrder; o++)
            {
                var l = heap.FreeList(0, z, o);
                if (l.Count != 0)
                {
                    lines.Add($"z{z}/o{o}: {string.Join(' ', l)}");
                }
            }
        }

        return string.Join('\n', lines);
    }
}
