using XenMm.Layout;

namespace XenMm.Arm32.Layout;

/// <summary>
/// Xen's arm32 hypervisor virtual layout (32-bit VA, HYP stage 1; xen-mm.md §3.1): current Xen
/// (<c>asm/mmu/layout.h</c>) and the 4.3/4.4 layout of the 2013 profile (<c>asm-arm/config.h</c>). The xenheap is
/// always mapped at 1G-2G, the domheap's per-CPU <c>map_domain_page</c> slots fill 2G-4G.
/// </summary>
public static class Arm32Layout
{
    /// <summary>Xen: <c>XEN_VIRT_START</c> (2 MiB, both eras).</summary>
    public const ulong XenVirtStart = 0x0020_0000;

    /// <summary>Xen: <c>FRAMETABLE_VIRT_START</c> (32 MiB, both eras).</summary>
    public const ulong FrametableVirtStart = 0x0200_0000;

    /// <summary>Xen: <c>VMAP_VIRT_START</c> (256 MiB, both eras).</summary>
    public const ulong VmapVirtStart = 0x1000_0000;

    /// <summary>Xen: <c>XENHEAP_VIRT_START</c> (1 GiB, both eras).</summary>
    public const ulong XenheapVirtStart = 0x4000_0000;

    /// <summary>Xen: the size of the xenheap window (1 GiB): the largest xenheap that can be mapped.</summary>
    public const ulong XenheapVirtSize = 0x4000_0000;

    /// <summary>Xen: <c>DOMHEAP_VIRT_START</c> (2 GiB, both eras).</summary>
    public const ulong DomheapVirtStart = 0x8000_0000;

    /// <summary>Xen: <c>DOMHEAP_VIRT_SIZE</c> (2 GiB).</summary>
    public const ulong DomheapVirtSize = 0x8000_0000;

    /// <summary>Xen: <c>DOMHEAP_ENTRIES</c>, the number of 2 MiB <c>map_domain_page</c> slots per CPU.</summary>
    public const int DomheapEntries = 1024;

    /// <summary>Xen: <c>DOMHEAP_SECOND_PAGES</c>, the second-level pages holding a CPU's slots (root entries 2 and 3).</summary>
    public const int DomheapSecondPages = 2;

    /// <summary>Current Xen's layout (<c>XEN_VIRT_SIZE</c> 8 MiB, fixmap at 10M, FDT at 12M-16M).</summary>
    public static IAddressSpaceLayout Current { get; } = new AddressSpaceLayout("arm32", 32,
    [
        new LayoutRegion("XEN_VIRT_START", new VirtAddr(XenVirtStart), 8UL << 20, "Xen text, data, bss"),
        new LayoutRegion("FIXMAP_ADDR(0)", new VirtAddr(0x00A0_0000), 2UL << 20, "fixmap: special-purpose 4K slots"),
        new LayoutRegion("BOOT_FDT_VIRT_START", new VirtAddr(0x00C0_0000), 4UL << 20, "early boot mapping of the FDT"),
        new LayoutRegion("LIVEPATCH_VMAP_START", new VirtAddr(0x0100_0000), 2UL << 20, "livepatch vmap (if compiled in)"),
        new LayoutRegion("FRAMETABLE_VIRT_START", new VirtAddr(FrametableVirtStart), 96UL << 20, "frame table: 32 bytes per page"),
        new LayoutRegion("VMAP_VIRT_START", new VirtAddr(VmapVirtStart), 768UL << 20, "vmap, ioremap"),
        new LayoutRegion("XENHEAP_VIRT_START", new VirtAddr(XenheapVirtStart), XenheapVirtSize, "xenheap: always mapped"),
        new LayoutRegion("DOMHEAP_VIRT_START", new VirtAddr(DomheapVirtStart), DomheapVirtSize, "domheap: per-CPU map_domain_page slots"),
    ]);

    /// <summary>The 4.3/4.4 layout of the 2013 profile (Xen image 2M-4M, fixmap 4M-6M, FDT 6M-8M, relocation 8M-10M).</summary>
    public static IAddressSpaceLayout Xen2013 { get; } = new AddressSpaceLayout("arm32-4.4", 32,
    [
        new LayoutRegion("XEN_VIRT_START", new VirtAddr(XenVirtStart), 2UL << 20, "Xen text, data, bss"),
        new LayoutRegion("FIXMAP_ADDR(0)", new VirtAddr(0x0040_0000), 2UL << 20, "fixmap: special-purpose 4K slots"),
        new LayoutRegion("BOOT_FDT_VIRT_START", new VirtAddr(0x0060_0000), 2UL << 20, "early boot mapping of the FDT"),
        new LayoutRegion("BOOT_RELOC_VIRT_START", new VirtAddr(0x0080_0000), 2UL << 20, "relocation of Xen's image"),
        new LayoutRegion("FRAMETABLE_VIRT_START", new VirtAddr(FrametableVirtStart), 96UL << 20, "frame table"),
        new LayoutRegion("VMAP_VIRT_START", new VirtAddr(VmapVirtStart), 768UL << 20, "vmap, ioremap"),
        new LayoutRegion("XENHEAP_VIRT_START", new VirtAddr(XenheapVirtStart), XenheapVirtSize, "xenheap: always mapped"),
        new LayoutRegion("DOMHEAP_VIRT_START", new VirtAddr(DomheapVirtStart), DomheapVirtSize, "domheap: per-CPU map_domain_page slots"),
    ]);

    /// <summary>The layout of <paramref name="profile"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for an undefined profile.</exception>
    public static IAddressSpaceLayout For(XenProfile profile) => profile switch
    {
        XenProfile.Current => Current,
        XenProfile.Xen2013 => Xen2013,
        _ => throw new XenMmException(MmError.InvalidArgument, $"arm32 has no layout for profile {(int)profile}."),
    };
}
