namespace XenMm.PageTables;

/// <summary>
/// The mapping-flag word Xen passes to <c>map_pages_to_xen</c> (<c>asm/page.h</c>, current Xen): the attribute
/// index in bits 2:0, then <c>_PAGE_*</c> bits, and the predefined <c>PAGE_HYPERVISOR_*</c> sets.
/// <see cref="PageFlagsExtensions"/> reads and replaces the attribute index.
/// </summary>
[Flags]
public enum PageFlags : uint
{
    /// <summary>No flag: attribute index 0, not present (a removal).</summary>
    None = 0,

    /// <summary>Bits 2:0, the <see cref="MairIndex"/> (AttrIndx) of the mapping.</summary>
    AttrIndxMask = 0x7,

    /// <summary><c>_PAGE_XN</c> (bit 3): execute never.</summary>
    Xn = 1 << 3,

    /// <summary><c>_PAGE_RO</c> (bit 4): read-only.</summary>
    Ro = 1 << 4,

    /// <summary><c>_PAGE_PRESENT</c> (bit 5): map (or modify) rather than remove.</summary>
    Present = 1 << 5,

    /// <summary><c>_PAGE_POPULATE</c> (bit 6): only create the intermediate tables.</summary>
    Populate = 1 << 6,

    /// <summary><c>_PAGE_BLOCK</c> (bit 7): superpages and the contiguous hint are allowed.</summary>
    Block = 1 << 7,

    /// <summary><c>_PAGE_CONTIG</c> (bit 8): internal to Xen; refused when a caller passes it.</summary>
    Contig = 1 << 8,

    /// <summary><c>_PAGE_DEVICE</c> = XN | PRESENT (0x28): add a device memory type (<see cref="HypervisorNoCache"/> adds MT_DEVICE_nGnRE).</summary>
    Device = Xn | Present,

    /// <summary><c>_PAGE_NORMAL</c> = MT_NORMAL | PRESENT (0x27).</summary>
    Normal = (uint)MairIndex.MT_NORMAL | Present,

    /// <summary><c>PAGE_HYPERVISOR_RW</c> = <c>_PAGE_NORMAL</c> | XN (0x2F).</summary>
    HypervisorRw = Normal | Xn,

    /// <summary><c>PAGE_HYPERVISOR</c>, the same as <see cref="HypervisorRw"/> (0x2F).</summary>
    Hypervisor = HypervisorRw,

    /// <summary><c>PAGE_HYPERVISOR_RO</c> = <c>_PAGE_NORMAL</c> | RO | XN (0x3F).</summary>
    HypervisorRo = Normal | Ro | Xn,

    /// <summary><c>PAGE_HYPERVISOR_RX</c> = <c>_PAGE_NORMAL</c> | RO (0x37).</summary>
    HypervisorRx = Normal | Ro,

    /// <summary><c>PAGE_HYPERVISOR_NOCACHE</c> = <c>_PAGE_DEVICE</c> | MT_DEVICE_nGnRE (0x2C): what <c>ioremap</c> and <c>ioremap_nocache</c> map.</summary>
    HypervisorNoCache = Device | (uint)MairIndex.MT_DEVICE_nGnRE,

    /// <summary><c>PAGE_HYPERVISOR_WC</c> = <c>_PAGE_DEVICE</c> | MT_NORMAL_NC (0x29): write-combining (<c>ioremap_wc</c>).</summary>
    HypervisorWc = Device | (uint)MairIndex.MT_NORMAL_NC,
}
