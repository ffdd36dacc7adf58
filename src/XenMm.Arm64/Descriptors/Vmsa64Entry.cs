using XenMm.PageTables;

namespace XenMm.Arm64;

/// <summary>
/// A VMSAv8-64 stage-1 descriptor (4 KiB granule, 48-bit output address) as Xen uses it at EL2 on arm64: the
/// same bits as Xen's <c>lpae_pt_t</c>, with the Arm ARM's field names. Bits 51:48 should be zero.
/// </summary>
[PageTableEntry]
[Reserved(51, 48)]
public readonly partial struct Vmsa64Entry
{
    /// <summary>Bit 0: the descriptor is valid.</summary>
    [Bit(0)]
    public partial bool Valid { get; }

    /// <summary>Bit 1: a table descriptor at levels 0-2; set for a page descriptor at level 3.</summary>
    [Bit(1)]
    public partial bool Table { get; }

    /// <summary>Bits 4:2, AttrIndx[2:0]: the MAIR index of the memory type.</summary>
    [Bits(4, 2)]
    public partial MairIndex AttrIndx { get; }

    /// <summary>Bit 5, NS: non-secure output address.</summary>
    [Bit(5)]
    public partial bool NS { get; }

    /// <summary>Bit 6, AP[1]: unprivileged access (RES1 at EL2; Xen sets 1).</summary>
    [Bit(6)]
    public partial bool AP1 { get; }

    /// <summary>Bit 7, AP[2]: read-only.</summary>
    [Bit(7)]
    public partial bool ReadOnly { get; }

    /// <summary>Bits 9:8, SH[1:0]: shareability.</summary>
    [Bits(9, 8)]
    public partial Shareability SH { get; }

    /// <summary>Bit 10, AF: access flag.</summary>
    [Bit(10)]
    public partial bool AF { get; }

    /// <summary>Bit 11, nG: not global.</summary>
    [Bit(11)]
    public partial bool NG { get; }

    /// <summary>Bits 47:12: the output address (block, page or next-level table), in place.</summary>
    [Address(47, 12)]
    public partial PhysAddr OutputAddress { get; }

    /// <summary>Bit 52: the contiguous hint.</summary>
    [Bit(52)]
    public partial bool Contiguous { get; }

    /// <summary>Bit 53, PXN: privileged execute never.</summary>
    [Bit(53)]
    public partial bool PXN { get; }

    /// <summary>Bit 54, XN (UXN at EL1&amp;0): execute never.</summary>
    [Bit(54)]
    public partial bool XN { get; }

    /// <summary>Bits 58:55: reserved for software use.</summary>
    [Bits(58, 55)]
    public partial byte Software { get; }

    /// <summary>Bit 59 (table descriptors only): PXNTable.</summary>
    [Bit(59)]
    public partial bool PXNTable { get; }

    /// <summary>Bit 60 (table descriptors only): XNTable (UXNTable).</summary>
    [Bit(60)]
    public partial bool XNTable { get; }

    /// <summary>Bits 62:61 (table descriptors only): APTable.</summary>
    [Bits(62, 61)]
    public partial byte APTable { get; }

    /// <summary>Bit 63 (table descriptors only): NSTable.</summary>
    [Bit(63)]
    public partial bool NSTable { get; }
}
