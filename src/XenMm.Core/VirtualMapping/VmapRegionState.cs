namespace XenMm.VirtualMapping;

/// <summary>The allocator registers of one vmap region (Xen: <c>vm_base</c>, <c>vm_end</c>, <c>vm_low</c>, <c>vm_top</c>).</summary>
/// <param name="Base">The first VA of the region, where the bitmap itself lives.</param>
/// <param name="End">The number of pages in the region: one bitmap bit each.</param>
/// <param name="Low">The lowest known clear bit.</param>
/// <param name="Top">The number of bits backed by mapped bitmap pages (the search bound).</param>
public readonly record struct VmapRegionState(VirtAddr Base, uint End, uint Low, uint Top);
