using System.Runtime.CompilerServices;
using XenMm.Domains;
using XenMm.Heap;

namespace XenMm.Workloads;

/// <summary>W1's target: <c>alloc_heap_pages(0, NR_ZONES - 1, order, 0)</c> and <c>free_heap_pages</c> on a bare heap, every zone searched.</summary>
public readonly struct HeapChurnTarget(BuddyHeap heap) : IChurnTarget
{
    private readonly int _zoneHi = heap.NrZones - 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAlloc(int order, out Mfn mfn) => heap.TryAlloc(0, _zoneHi, order, default, out mfn);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(Mfn mfn, int order) => heap.Free(mfn, order);
}

/// <summary>A machine's target: anonymous domheap pages (<c>alloc_domheap_pages(NULL, order, 0)</c> / <c>free_domheap_pages</c>).</summary>
public readonly struct DomheapChurnTarget(Domheap domheap) : IChurnTarget
{
    /// <inheritdoc />
    public bool TryAlloc(int order, out Mfn mfn) => domheap.TryAllocPages(null, order, MemFlags.None, out mfn);

    /// <inheritdoc />
    public void Free(Mfn mfn, int order) => domheap.FreePages(mfn, order);
}

/// <summary>The observer of untraced runs: empty methods, so the specialised loop calls nothing.</summary>
public readonly struct NoChurnObserver : IChurnObserver
{
    /// <inheritdoc />
    public void Allocated(ulong mfn, int order)
    {
    }

    /// <inheritdoc />
    public void Failed(int order)
    {
    }

    /// <inheritdoc />
    public void Freed(ulong mfn, int order)
    {
    }
}
