using XenMm.PageTables;

namespace XenMm.Arm64;

/// <summary>
/// A VMSAv8-64 stage-2 descriptor (4 KiB granule, 48-bit output address): the same bits as Xen's
/// <c>lpae_p2m_t</c>, with the Arm ARM's field names. Bits 11, 51:48, 53 and 63:59 should be zero, as in Xen.
/// </summary>
[PageTableEntry]
[Reserved(11, 11)]
[Reserved(51, 48)]
[Reserved(53, 53)]
[Reserved(63, 59)]
public readonly partial struct Vmsa64S2Entry
{
    /// <summary>Bit 0: the descriptor is valid.</summary>
    [Bit(0)]
    public partial bool Valid { get; }

    /// <summary>Bit 1: a table descriptor at levels 0-2; set for a page descriptor at level 3.</summary>
    [Bit(1)]
    public partial bool Table { get; }

    /// <summary>Bits 5:2, MemAttr[3:0]: the stage-2 memory type (0xF normal write-back, 0x5 non-cacheable, 0x1 device).</summary>
    [Bits(5, 2)]
    public partial byte MemAttr { get; }

    /// <summary>Bit 6, S2AP[0]: the guest may read.</summary>
    [Bit(6)]
    public partial bool S2APRead { get; }

    /// <summary>Bit 7, S2AP[1]: the guest may write.</summary>
    [Bit(7)]
    public partial bool S2APWrite { get; }

    /// <summary>Bits 9:8, SH[1:0]: shareability.</summary>
    [Bits(9, 8)]
    public partial Shareability SH { get; }

    /// <summary>Bit 10, AF: access flag.</summary>
    [Bit(10)]
    public partial bool AF { get; }

    /// <summary>Bits 47:12: the output address, in place.</summary>
    [Address(47, 12)]
    public partial PhysAddr OutputAddress { get; }

    /// <summary>Bit 52: the contiguous hint.</summary>
    [Bit(52)]
    public partial bool Contiguous { get; }

    /// <summary>Bit 54, XN: execute never.</summary>
    [Bit(54)]
    public partial bool XN { get; }

    /// <summary>Bits 58:55: reserved for software use (Xen keeps the p2m type here).</summary>
    [Bits(58, 55)]
    public partial byte Software { get; }
}
