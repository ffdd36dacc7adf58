using XenMm.PageTables;

namespace XenMm.Arm32;

/// <summary>
/// Xen's stage-2 LPAE descriptor <c>lpae_p2m_t</c> (<c>asm/lpae.h</c>): the entries of a guest's p2m. Field
/// names are Xen's. Bits 11, 51:48, 53 and 63:59 should be zero.
/// </summary>
[PageTableEntry]
[Reserved(11, 11)]
[Reserved(51, 48)]
[Reserved(53, 53)]
[Reserved(63, 59)]
public readonly partial struct LpaeP2mEntry
{
    /// <summary>Xen's <c>MATTR_DEV</c>: device memory.</summary>
    public const byte MattrDevice = 0x1;

    /// <summary>Xen's <c>MATTR_MEM_NC</c>: normal non-cacheable memory.</summary>
    public const byte MattrMemoryNonCacheable = 0x5;

    /// <summary>Xen's <c>MATTR_MEM</c>: normal write-back memory.</summary>
    public const byte MattrMemory = 0xF;

    /// <summary>Xen's <c>P2M_PERM_MASK</c>: the xn, write and read bits.</summary>
    public const ulong PermissionMask = 0x0040_0000_0000_00C0;

    /// <summary>Bit 0: the entry is valid. An invalid entry still carries the p2m type.</summary>
    [Bit(0)]
    public partial bool Valid { get; }

    /// <summary>Bit 1: a table link at levels 1-2, and set for a page at level 3.</summary>
    [Bit(1)]
    public partial bool Table { get; }

    /// <summary>Bits 5:2, MemAttr[3:0]: the stage-2 memory type (<see cref="MattrMemory"/> and friends).</summary>
    [Bits(5, 2)]
    public partial byte Mattr { get; }

    /// <summary>Bit 6, S2AP[0]: the guest may read.</summary>
    [Bit(6)]
    public partial bool Read { get; }

    /// <summary>Bit 7, S2AP[1]: the guest may write.</summary>
    [Bit(7)]
    public partial bool Write { get; }

    /// <summary>Bits 9:8: shareability.</summary>
    [Bits(9, 8)]
    public partial Shareability Sh { get; }

    /// <summary>Bit 10: access flag.</summary>
    [Bit(10)]
    public partial bool Af { get; }

    /// <summary>Bits 47:12: the output address, in place.</summary>
    [Address(47, 12)]
    public partial PhysAddr Base { get; }

    /// <summary>Bit 52: one of 16 contiguous, aligned entries.</summary>
    [Bit(52)]
    public partial bool Contig { get; }

    /// <summary>Bit 54: execute never.</summary>
    [Bit(54)]
    public partial bool Xn { get; }

    /// <summary>Bits 58:55: the p2m type (software bits, Xen's <c>p2m_type_t</c>).</summary>
    [Bits(58, 55)]
    public partial byte Type { get; }
}
