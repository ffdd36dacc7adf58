using XenMm.Heap;

namespace XenMm.Machine;

/// <summary>
/// How an architecture's xenheap relates to its domheap (xen-mm.md §2.11): the split model (arm32,
/// CONFIG_SEPARATE_XENHEAP: an address range in zone 0, one-page buffers at both ends, mapped 1:1) or the unified
/// model (arm64: one heap, pages flagged <c>PGC_xen_heap</c>, all RAM in the direct map). The architecture places
/// the xenheap during boot (its <c>setup_mm</c>); afterwards this is the xenheap's whole surface.
/// </summary>
/// <remarks>Implementations are thread-safe. Refusals throw <see cref="XenMmException"/> and change nothing.</remarks>
public interface IHeapModel
{
    /// <summary>A short name: <c>split</c> or <c>unified</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The xenheap's physical range where the model has one (split: <c>[directmap_mfn_start, directmap_mfn_end)</c>),
    /// null for the unified model, whose xenheap pages can be anywhere.
    /// </summary>
    MfnRange? XenheapRange { get; }

    /// <summary>Where the xenheap (split) or the direct map (unified) starts virtually (Xen: <c>XENHEAP_VIRT_START</c>).</summary>
    VirtAddr XenheapVirtStart { get; }

    /// <summary>Pages the model keeps out of both heaps (split: the buffer page at each end of the xenheap).</summary>
    IReadOnlyList<MfnRange> BufferPages { get; }

    /// <summary>The blocks currently allocated by <see cref="TryAllocXenheapPages"/>, in address order.</summary>
    IReadOnlyList<MfnRange> XenheapAllocations { get; }

    /// <summary>
    /// Xen's <c>alloc_xenheap_pages(order, memflags)</c>: 2^<paramref name="order"/> pages of xenheap, returned as
    /// their hypervisor virtual address. False (Xen: NULL) when nothing fits.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidOrder"/> for an order outside 0..MAX_ORDER.</exception>
    bool TryAllocXenheapPages(int order, MemFlags flags, out VirtAddr va);

    /// <summary>Xen's <c>free_xenheap_pages(v, order)</c>.</summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.NotAllocated"/> when <paramref name="va"/> is not a live xenheap allocation of that order,
    /// <see cref="MmError.InvalidAddress"/> when it is not a xenheap address.
    /// </exception>
    void FreeXenheapPages(VirtAddr va, int order);

    /// <summary>Xen's <c>is_xen_heap_page</c>: split by address range, unified by the <c>PGC_xen_heap</c> flag.</summary>
    bool IsXenHeapPage(Mfn mfn);

    /// <summary>Xen's <c>is_xen_heap_mfn</c> (unified: also requires <c>mfn_valid</c>).</summary>
    bool IsXenHeapMfn(Mfn mfn);

    /// <summary>Xen's <c>maddr_to_virt</c>: the always-mapped virtual address of a machine address.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> outside the xenheap (split) or the direct map (unified).</exception>
    VirtAddr MaddrToVirt(PhysAddr ma);

    /// <summary>Xen's <c>virt_to_maddr</c> for the xenheap / direct-map window.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidAddress"/> outside that window.</exception>
    PhysAddr VirtToMaddr(VirtAddr va);
}
