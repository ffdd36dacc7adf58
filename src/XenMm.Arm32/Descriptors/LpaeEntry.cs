using XenMm.PageTables;

namespace XenMm.Arm32;

/// <summary>
/// Xen's stage-1 LPAE descriptor <c>lpae_pt_t</c> (<c>asm/lpae.h</c>): the entries of Xen's own EL2 page tables
/// on arm32 (and, with the same layout, arm64). Field names are Xen's. Bits 51:48 should be zero.
/// </summary>
[PageTableEntry]
[Reserved(51, 48)]
public readonly partial struct LpaeEntry
{
    /// <summary>Bit 0: the entry is valid.</summary>
    [Bit(0)]
    public partial bool Valid { get; }

    /// <summary>Bit 1: a table link at levels 1-2, and set for a page at level 3.</summary>
    [Bit(1)]
    public partial bool Table { get; }

    /// <summary>Bits 4:2, AttrIndx: the MAIR index of the memory type.</summary>
    [Bits(4, 2)]
    public partial MairIndex Ai { get; }

    /// <summary>Bit 5: non-secure. Xen sets 1.</summary>
    [Bit(5)]
    public partial bool Ns { get; }

    /// <summary>Bit 6, AP[1] (2013 name: <c>user</c>). Xen sets 1 (RES1 at EL2).</summary>
    [Bit(6)]
    public partial bool Up { get; }

    /// <summary>Bit 7, AP[2]: read-only.</summary>
    [Bit(7)]
    public partial bool Ro { get; }

    /// <summary>Bits 9:8: shareability (outer for device and non-cacheable memory, inner otherwise).</summary>
    [Bits(9, 8)]
    public partial Shareability Sh { get; }

    /// <summary>Bit 10: access flag. Xen sets 1.</summary>
    [Bit(10)]
    public partial bool Af { get; }

    /// <summary>Bit 11: not global. Xen sets 1 ("makes TLB flushes easier").</summary>
    [Bit(11)]
    public partial bool Ng { get; }

    /// <summary>Bits 47:12: the output address (a block, a page or the next-level table), in place.</summary>
    [Address(47, 12)]
    public partial PhysAddr Base { get; }

    /// <summary>Bit 52: one of 16 contiguous, aligned entries.</summary>
    [Bit(52)]
    public partial bool Contig { get; }

    /// <summary>Bit 53: privileged execute never.</summary>
    [Bit(53)]
    public partial bool Pxn { get; }

    /// <summary>Bit 54: execute never. Xen sets 1 except for its own text.</summary>
    [Bit(54)]
    public partial bool Xn { get; }

    /// <summary>Bits 58:55: ignored by hardware; on arm32 the <c>map_domain_page</c> slot reference count.</summary>
    [Bits(58, 55)]
    public partial byte Avail { get; }

    /// <summary>Bit 59 (table entries only): PXNTable.</summary>
    [Bit(59)]
    public partial bool Pxnt { get; }

    /// <summary>Bit 60 (table entries only): XNTable.</summary>
    [Bit(60)]
    public partial bool Xnt { get; }

    /// <summary>Bits 62:61 (table entries only): APTable.</summary>
    [Bits(62, 61)]
    public partial byte Apt { get; }

    /// <summary>Bit 63 (table entries only): NSTable.</summary>
    [Bit(63)]
    public partial bool Nst { get; }
}
