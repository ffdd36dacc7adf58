namespace XenMm.Layout;

/// <summary>
/// One named region of a hypervisor virtual address space, under Xen's name for its start (<c>XEN_VIRT_START</c>,
/// <c>FIXMAP_ADDR(0)</c>, <c>FRAMETABLE_VIRT_START</c>, <c>VMAP_VIRT_START</c>, <c>XENHEAP_VIRT_START</c>,
/// <c>DIRECTMAP_VIRT_START</c>, <c>DOMHEAP_VIRT_START</c>, ...).
/// </summary>
/// <param name="Name">Xen's name of the region's start constant.</param>
/// <param name="Start">The first virtual address.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Description">What lives there, in a few words.</param>
public sealed record LayoutRegion(string Name, VirtAddr Start, ulong Size, string Description)
{
    /// <summary>One past the last address (2^64 reads as 0 for a region that ends at the top).</summary>
    public ulong End => Start.Value + Size;

    /// <summary>The last address of the region.</summary>
    public VirtAddr Last => new(Start.Value + (Size - 1));

    /// <summary>True when <paramref name="va"/> lies inside the region.</summary>
    public bool Contains(VirtAddr va) => va.Value - Start.Value < Size;

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{Start}, {Last}] {Description}";
}
