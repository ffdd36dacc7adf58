using BenchmarkDotNet.Attributes;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Benchmarks;

/// <summary>
/// One alloc_heap_pages + free_heap_pages pair per operation on a 4 GiB heap (W1's machine), for each order:
/// the split and merge chains grow with the distance to the next free chunk. Allocations per op must be 0.
/// </summary>
[MemoryDiagnoser]
public class HeapBenchmarks
{
    private BuddyHeap _heap = null!;

    /// <summary>The order allocated and freed.</summary>
    [Params(0, 1, 2, 3, 4, 9, 18)]
    public int Order { get; set; }

    /// <summary>A fresh heap initialised chunked over MFNs 0x80000..0x17FFFF.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _heap = new BuddyHeap([new RamBank(new PhysAddr(0x8000_0000), 4UL << 30)], HeapConfig.Arm64);
        _heap.InitHeapPages(new Mfn(0x80000), 1UL << 20);
    }

    /// <summary>Allocate then free the same chunk (the free merges it back).</summary>
    [Benchmark]
    public ulong AllocFree()
    {
        _heap.TryAlloc(0, _heap.NrZones - 1, Order, MemFlags.None, out var mfn);
        _heap.Free(mfn, Order);
        return mfn.Value;
    }

    /// <summary>Allocate then free with the freed chunk marked dirty, then one idle scrub pass.</summary>
    [Benchmark]
    public ulong AllocFreeDirtyScrub()
    {
        _heap.TryAlloc(0, _heap.NrZones - 1, Order, MemFlags.None, out var mfn);
        _heap.Free(mfn, Order, needScrub: true);
        _heap.ScrubFreePages();
        return mfn.Value;
    }
}
