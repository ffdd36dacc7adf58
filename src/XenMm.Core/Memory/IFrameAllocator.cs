namespace XenMm.Memory;

/// <summary>
/// Single frames on demand: how the page-table engine and vmap take memory. On a booted machine this is the
/// domheap (Xen: <c>alloc_domheap_page(NULL, 0)</c> / <c>free_domheap_page</c>); early boot and the benchmark
/// workloads use a bump allocator instead.
/// </summary>
public interface IFrameAllocator
{
    /// <summary>Takes one frame; returns false when none is left (Xen returns NULL, not a BUG).</summary>
    bool TryAllocate(out Mfn mfn);

    /// <summary>Gives back a frame taken from this allocator.</summary>
    /// <exception cref="XenMmException">The frame was not allocated here, or is already free.</exception>
    void Free(Mfn mfn);
}
