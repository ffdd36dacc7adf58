namespace XenMm.VirtualMapping;

/// <summary>Xen's <c>enum vmap_region</c>: the virtual regions vmap allocates from.</summary>
public enum VmapRegion
{
    /// <summary><c>VMAP_DEFAULT</c>: vmap, vmalloc, ioremap.</summary>
    Default = 0,

    /// <summary><c>VMAP_XEN</c>: vmalloc_xen (livepatch), next to the Xen image.</summary>
    Xen = 1,
}
