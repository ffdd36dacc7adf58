using XenMm.Heap;
using XenMm.Tests.Shared;
using static XenMm.Core.Tests.Heap.HeapTestMachines;

namespace XenMm.Core.Tests.Heap;

/// <summary>alloc and free allocate nothing on the managed heap (BENCHMARKS.md: zero allocations per op).</summary>
public sealed class HotPathAllocationTests
{
    [Fact]
    public void Alloc_and_free_allocate_no_managed_memory()
    {
        var heap = Empty(0x80000, 1 << 16);
        heap.InitHeapPages(M(0x80000), 1 << 16);
        Cycle(heap); // JIT and first-touch outside the measurement

        Assert.Equal(0, Allocations.FewestBytes(() => Cycle(heap)));
    }

    private static void Cycle(BuddyHeap heap)
    {
        Span<ulong> live = stackalloc ulong[64];
        for (int round = 0; round < 100; round++)
        {
            for (int i = 0; i < 64; i++)
            {
                Assert.True(heap.TryAlloc(1, 36, i % 5, MemFlags.None, out var m));
                live[i] = m.Value;
            }

            for (int i = 63; i >= 0; i--)
            {
                heap.Free(new Mfn(live[i]), i % 5, needScrub: (i & 3) == 0);
            }

            heap.ScrubFreePages();
        }
    }
}
