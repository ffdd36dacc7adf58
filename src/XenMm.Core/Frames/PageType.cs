namespace XenMm.Frames;

/// <summary>
/// The <c>type_info</c> layout (Xen: asm/mm.h <c>PGT_*</c>) for a word size and profile. Current Xen keeps a
/// one-bit type at the top, a two-bit type count and a GFN field below; the 2013 layout had a four-bit type,
/// pinned/validated bits and a wide count.
/// </summary>
/// <param name="BitsPerLong">32 (arm32) or 64 (arm64).</param>
/// <param name="Profile">Current Xen or the 2013 state.</param>
public readonly record struct PageType(int BitsPerLong, XenProfile Profile)
{
    /// <summary>PGT_type_mask.</summary>
    public ulong TypeMask => Profile == XenProfile.Current ? 1UL << (BitsPerLong - 1) : 15UL << (BitsPerLong - 4);

    /// <summary>PGT_writable_page.</summary>
    public ulong WritablePage => Profile == XenProfile.Current ? 1UL << (BitsPerLong - 1) : 7UL << (BitsPerLong - 4);

    /// <summary>PGT_count_mask.</summary>
    public ulong CountMask => Profile == XenProfile.Current ? 3UL << (BitsPerLong - 3) : (1UL << (BitsPerLong - 9)) - 1;

    /// <summary>PGT_gfn_mask (current Xen only; 0 in 2013).</summary>
    public ulong GfnMask => Profile == XenProfile.Current ? (1UL << (BitsPerLong - 3)) - 1 : 0;

    /// <summary>PGT_TYPE_INFO_INITIALIZER: what a page leaving the allocator gets (ARM: the invalid xenheap GFN).</summary>
    public ulong Initializer => GfnMask;
}
