namespace XenMm.Heap;

/// <summary>
/// The per-architecture constants of Xen's buddy heap (xen-mm.md §2.1): <c>MAX_ORDER</c>, <c>PADDR_BITS</c>
/// (which gives <c>NR_ZONES</c>), the word size (which places the <c>count_info</c> bits and the PDX group
/// size), the number of NUMA nodes and the profile.
/// </summary>
public sealed record HeapConfig
{
    /// <summary>MAX_ORDER: the largest buddy is 2^MaxOrder pages (ARM now: 18; 2013: 20).</summary>
    public int MaxOrder { get; init; } = 18;

    /// <summary>PADDR_BITS: physical address width (arm64 now: 48; arm32 and 2013: 40).</summary>
    public int PaddrBits { get; init; } = 48;

    /// <summary>BITS_PER_LONG: 64 on arm64, 32 on arm32.</summary>
    public int BitsPerLong { get; init; } = 64;

    /// <summary>Number of NUMA nodes (ARM: 1; more are supported for other uses of the model).</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Current Xen or the 2013 state (tail insertion, page-wise init, no lazy scrub, claims in assign).</summary>
    public XenProfile Profile { get; init; } = XenProfile.Current;

    /// <summary>NR_ZONES = PADDR_BITS - PAGE_SHIFT + 1 (the 4.4 and current formula).</summary>
    public int NrZones => PaddrBits - Addressing.PageShift + 1;

    /// <summary>INVALID_DIRTY_IDX = 2^(MAX_ORDER+1) - 1.</summary>
    public uint InvalidDirtyIdx => (1u << (MaxOrder + 1)) - 1;

    /// <summary>log2 of PDX_GROUP_COUNT: 2 MiB of frame table per group (arm64: 56-byte entries, 2^18 pages; arm32: 32-byte, 2^16).</summary>
    public int PdxGroupShift => BitsPerLong == 64 ? 18 : 16;

    /// <summary>The <c>count_info</c> layout for this word size and profile.</summary>
    public XenMm.Frames.PageCount PageCount => new(BitsPerLong, Profile);

    /// <summary>The <c>type_info</c> layout for this word size and profile.</summary>
    public XenMm.Frames.PageType PageType => new(BitsPerLong, Profile);

    /// <summary>Xen on arm64 now: MAX_ORDER 18, PADDR_BITS 48, 64-bit words.</summary>
    public static HeapConfig Arm64 { get; } = new();

    /// <summary>Xen on arm32 now: MAX_ORDER 18, PADDR_BITS 40, 32-bit words.</summary>
    public static HeapConfig Arm32 { get; } = new() { PaddrBits = 40, BitsPerLong = 32 };

    /// <summary>The constants of an architecture (64 or 32 bits) in a profile: 2013 means MAX_ORDER 20 and PADDR_BITS 40.</summary>
    public static HeapConfig For(int bitsPerLong, XenProfile profile) => profile == XenProfile.Xen2013
        ? new HeapConfig { MaxOrder = 20, PaddrBits = 40, BitsPerLong = bitsPerLong, Profile = profile }
        : bitsPerLong == 64 ? Arm64 : Arm32;

    /// <summary>Checks the constants are in the ranges the model supports.</summary>
    /// <exception cref="XenMmException">A constant is out of range.</exception>
    public void Validate()
    {
        if (MaxOrder is < 1 or > 24)
        {
            throw new XenMmException(MmError.InvalidArgument, $"MAX_ORDER {MaxOrder} is outside 1..24.");
        }

        if (PaddrBits is < 32 or > 52)
        {
            throw new XenMmException(MmError.InvalidArgument, $"PADDR_BITS {PaddrBits} is outside 32..52.");
        }

        if (BitsPerLong is not (32 or 64))
        {
            throw new XenMmException(MmError.InvalidArgument, $"BITS_PER_LONG {BitsPerLong} is neither 32 nor 64.");
        }

        if (Nodes is < 1 or > 64)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Node count {Nodes} is outside 1..64.");
        }
    }
}
