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

    /// <summary>
    /// How many frames <see cref="TryAllocate"/> would hand out now, one after another, if nothing else ran: callers
    /// check it before they act, so that a refusal changes nothing. <see cref="ulong.MaxValue"/> when unknown (the
    /// default); a caller then finds out by allocating, and rolls back.
    /// </summary>
    ulong Available => ulong.MaxValue;
}
