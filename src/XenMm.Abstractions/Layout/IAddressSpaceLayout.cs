namespace XenMm.Layout;

/// <summary>
/// A hypervisor virtual address-space layout (Xen: <c>asm/mmu/layout.h</c>): named regions that do not overlap,
/// each page-aligned, inside the input-address width. One of the three things that vary between architectures.
/// </summary>
public interface IAddressSpaceLayout
{
    /// <summary>A short name (<c>arm32</c>, <c>arm64-4.4</c>, ...).</summary>
    string Name { get; }

    /// <summary>Width of a virtual address in bits.</summary>
    int VaBits { get; }

    /// <summary>The regions, in ascending address order.</summary>
    IReadOnlyList<LayoutRegion> Regions { get; }

    /// <summary>The region named <paramref name="name"/> (Xen's constant name).</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> when the layout has no such region.</exception>
    LayoutRegion this[string name] { get; }

    /// <summary>The region named <paramref name="name"/>, or null.</summary>
    LayoutRegion? Find(string name);

    /// <summary>The region holding <paramref name="va"/>, or null when it lies in no region.</summary>
    LayoutRegion? RegionOf(VirtAddr va);
}
