namespace XenMm.Machine;

/// <summary>One <c>alloc_boot_pages(nr, align)</c> call and what the pages are for.</summary>
/// <param name="Mfn">The first frame returned.</param>
/// <param name="Pages">The number of frames (Xen: <c>nr_pfns</c>).</param>
/// <param name="Align">The alignment in frames (Xen: <c>pfn_align</c>).</param>
/// <param name="Use">The census category of the pages.</param>
/// <param name="Purpose">What Xen allocated them for, in a few words (for example "frame table", "page table for 0x40000000").</param>
public sealed record BootAllocation(Mfn Mfn, ulong Pages, ulong Align, PageUse Use, string Purpose)
{
    /// <summary>The frames as a range.</summary>
    public MfnRange Range => new(Mfn, Pages);

    /// <inheritdoc />
    public override string ToString() => $"alloc_boot_pages [{Mfn}, {Mfn + Pages}) {Pages} pages, align {Align}: {Purpose}";
}
