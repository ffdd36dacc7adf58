namespace XenMm.Frames;

/// <summary>
/// The <c>count_info</c> bit layout (Xen: asm/mm.h <c>PGC_*</c>) for a word size and profile: flags are
/// numbered from the top of the word (<c>PG_shift(idx) = BITS_PER_LONG - idx</c>), so they sit at bits 31..22
/// on arm32 and 63..54 on arm64; the reference count takes the bits below.
/// </summary>
/// <param name="BitsPerLong">32 (arm32) or 64 (arm64).</param>
/// <param name="Profile">Current Xen or the 2013 state (no PGC_need_scrub, one more count bit).</param>
public readonly record struct PageCount(int BitsPerLong, XenProfile Profile)
{
    private int Shift(int idx) => BitsPerLong - idx;

    private ulong Bit(int idx) => 1UL << Shift(idx);

    /// <summary>PGC_allocated: the page is assigned to a guest.</summary>
    public ulong Allocated => Bit(1);

    /// <summary>PGC_xen_heap: allocated by alloc_xenheap_pages in the unified-heap model.</summary>
    public ulong XenHeap => Bit(2);

    /// <summary>PGC_static (only with CONFIG_STATIC_MEMORY; 0 in the 2013 profile).</summary>
    public ulong Static => Profile == XenProfile.Current ? Bit(3) : 0;

    /// <summary>PGC_colored (only with CONFIG_LLC_COLORING; 0 in the 2013 profile).</summary>
    public ulong Colored => Profile == XenProfile.Current ? Bit(4) : 0;

    /// <summary>PGC_need_scrub (current Xen: its own bit, idx 5; absent in 2013).</summary>
    public ulong NeedScrub => Profile == XenProfile.Current ? Bit(5) : 0;

    /// <summary>PGC_broken: the page has a hardware error.</summary>
    public ulong Broken => Bit(7);

    /// <summary>Lowest bit of the two-bit PGC_state field.</summary>
    public int StateShift => Shift(9);

    /// <summary>PGC_state: the two-bit state field.</summary>
    public ulong StateMask => 3UL << StateShift;

    /// <summary>PGC_state_inuse (0).</summary>
    public ulong StateInuse => 0;

    /// <summary>PGC_state_offlining.</summary>
    public ulong StateOfflining => 1UL << StateShift;

    /// <summary>PGC_state_offlined.</summary>
    public ulong StateOfflined => 2UL << StateShift;

    /// <summary>PGC_state_free.</summary>
    public ulong StateFree => 3UL << StateShift;

    /// <summary>PGC_extra: allocated to a domain but not counted against max_pages (current Xen only).</summary>
    public ulong Extra => Profile == XenProfile.Current ? Bit(10) : 0;

    /// <summary>PGC_count_mask: the reference count bits (current: below idx 10; 2013: below idx 9).</summary>
    public ulong CountMask => (1UL << Shift(Profile == XenProfile.Current ? 10 : 9)) - 1;

    /// <summary>PGC_preserved: bits assign_pages keeps (extra, static, colored, need_scrub).</summary>
    public ulong Preserved => Extra | Static | Colored | NeedScrub;
}
