using XenMm.Layout;

namespace XenMm.Arm64.Layout;

/// <summary>
/// Xen's arm64 hypervisor virtual layout (48-bit VA, TTBR0_EL2, 512 GiB per level-0 slot): the current one
/// (<c>asm/mmu/layout.h</c>, since 4.19: Xen in L0 slot 20, the direct map in slots 256-265) and the 4.4 one
/// (<c>asm-arm/config.h</c>: Xen in slot 0, a direct map of 9 slots) for the 2013 profile.
/// </summary>
public static class Arm64Layout
{
    /// <summary>Bits of one level-0 slot (<c>SLOT0_ENTRY_BITS</c>): 512 GiB.</summary>
    public const int Slot0EntryBits = 39;

    /// <summary>The level-0 slots kept for Xen's identity map (<c>IDENTITY_MAPPING_AREA_NR_L0</c>, current Xen).</summary>
    public const int IdentityMappingAreaNrL0 = 20;

    /// <summary><c>XEN_VM_MAPPING</c>: the base of Xen's own slot, <c>SLOT0(20)</c> = 0x0000_0A00_0000_0000 (current Xen).</summary>
    public const ulong XenVmMapping = (ulong)IdentityMappingAreaNrL0 << Slot0EntryBits;

    /// <summary><c>DIRECTMAP_VIRT_START</c> = <c>SLOT0(256)</c> = 0x0000_8000_0000_0000 (both profiles).</summary>
    public const ulong DirectMapVirtStart = 256UL << Slot0EntryBits;

    /// <summary>The current layout: direct map of 10 slots (5 TiB; 1b9d4ec26b fixed the off-by-one of 4.4).</summary>
    public static IAddressSpaceLayout Current { get; } = new AddressSpaceLayout("arm64", 48,
    [
        new("IDENTITY_MAPPING_AREA", new VirtAddr(0), XenVmMapping, "reserved for the identity map of Xen (L0 slots 0-19)"),
        new("XEN_VIRT_START", new VirtAddr(XenVmMapping + Mb(2)), Mb(8), "Xen text, data, bss"),
        new("FIXMAP_ADDR(0)", new VirtAddr(XenVmMapping + Mb(10)), Mb(2), "fixmap: special-purpose 4K slots"),
        new("BOOT_FDT_VIRT_START", new VirtAddr(XenVmMapping + Mb(12)), Mb(4), "early boot mapping of the FDT"),
        new("LIVEPATCH_VMAP_START", new VirtAddr(XenVmMapping + Mb(16)), Mb(2), "livepatch vmap"),
        new("VMAP_VIRT_START", new VirtAddr(XenVmMapping + Gb(1)), Gb(1), "vmap: ioremap, vmalloc"),
        new("FRAMETABLE_VIRT_START", new VirtAddr(XenVmMapping + Gb(32)), Gb(32), "frame table: 56 bytes per page"),
        new("DIRECTMAP_VIRT_START", new VirtAddr(DirectMapVirtStart), 10UL << Slot0EntryBits, "1:1 map of RAM (L0 slots 256-265)"),
    ]);

    /// <summary>The 4.4 layout (2013 profile): everything of Xen's in slot 0, a direct map of 9 slots (4.5 TiB).</summary>
    public static IAddressSpaceLayout Xen44 { get; } = new AddressSpaceLayout("arm64-4.4", 48,
    [
        new("XEN_VIRT_START", new VirtAddr(Mb(2)), Mb(2), "Xen text, data, bss"),
        new("FIXMAP_ADDR(0)", new VirtAddr(Mb(4)), Mb(2), "fixmap: special-purpose 4K slots"),
        new("BOOT_FDT_VIRT_START", new VirtAddr(Mb(6)), Mb(2), "early boot mapping of the FDT"),
        new("BOOT_RELOC_VIRT_START", new VirtAddr(Mb(8)), Mb(2), "early relocation address"),
        new("VMAP_VIRT_START", new VirtAddr(Gb(1)), Gb(1), "vmap: ioremap, vmalloc"),
        new("FRAMETABLE_VIRT_START", new VirtAddr(Gb(32)), Gb(32), "frame table"),
        new("DIRECTMAP_VIRT_START", new VirtAddr(DirectMapVirtStart), 9UL << Slot0EntryBits, "1:1 map of RAM (L0 slots 256-264)"),
    ]);

    /// <summary>The layout of <paramref name="profile"/>.</summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for an undefined profile.</exception>
    public static IAddressSpaceLayout For(XenProfile profile) => profile switch
    {
        XenProfile.Current => Current,
        XenProfile.Xen2013 => Xen44,
        _ => throw new XenMmException(MmError.InvalidArgument, $"Profile {(int)profile} has no arm64 layout."),
    };

    private static ulong Mb(ulong n) => n << 20;

    private static ulong Gb(ulong n) => n << 30;
}
