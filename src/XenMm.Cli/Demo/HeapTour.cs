using XenMm.Audit;
using XenMm.Heap;
using XenMm.Memory;
using XenMm.Reports;

namespace XenMm.Cli.Demo;

/// <summary>The buddy heap on a 1 GiB arm64 host: chunked init, split on alloc, merge on free, debug key 'm'.</summary>
internal static class HeapTour
{
    public static (PhysicalMemory Memory, BuddyHeap Heap) Run(TextWriter output)
    {
        var memory = new PhysicalMemory([new RamBank(new PhysAddr(0x8000_0000), 1UL << 30)], 48);
        var heap = new BuddyHeap(memory, HeapConfig.Arm64);
        output.WriteLine("1. Buddy heap (arm64, MAX_ORDER 18): one RAM bank [0x80000000, 0xC0000000).");

        // init_heap_pages hands the bank over in naturally aligned chunks; 1 GiB at 0x80000000 is one order-18 chunk.
        heap.InitHeapPages(new Mfn(0x80000), 1UL << 18);
        output.WriteLine($"   init_heap_pages(0x80000, 262144 pages): free chunks per order 0..18: {string.Join(' ', heap.FreeChunkHistogram())}");

        heap.TryAlloc(1, heap.NrZones - 1, 0, MemFlags.None, out var first);
        heap.TryAlloc(1, heap.NrZones - 1, 2, MemFlags.None, out var second);
        output.WriteLine($"   alloc_heap_pages(order 0) = {first}, then order 2 = {second}: a split keeps the highest pages,");
        output.WriteLine($"   the lower halves go back on the lists: {string.Join(' ', heap.FreeChunkHistogram())}");
        heap.Free(first, 0);
        heap.Free(second, 2);
        output.WriteLine($"   free both: buddies merge back; free chunks per order: {string.Join(' ', heap.FreeChunkHistogram())}");
        output.WriteLine($"   audit (xen-mm.md §10 invariants): {new HeapAudit(heap).Run().Count} violations");
        output.WriteLine("   debug key 'm':");
        foreach (var line in new HeapReport(heap).MemoryInfo().TrimEnd().Split('\n'))
        {
            output.WriteLine($"   {line}");
        }

        return (memory, heap);
    }
}
