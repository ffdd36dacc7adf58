namespace XenMm.Arm64.Heap;

/// <summary>
/// The versions of <c>xenheap_max_mfn(mfn)</c> (common/page_alloc.c), which sets <c>xenheap_bits</c> for the unified
/// heap (xen-mm.md §2.11 B, Example 2).
/// </summary>
public enum XenheapBitsFormula
{
    /// <summary>Current Xen (88e3ed6164, Sep 2015): <c>min(flsl(mfn + 1) - 1 + PAGE_SHIFT, PADDR_BITS)</c>, mfn the last mapped MFN.</summary>
    Sep2015 = 0,

    /// <summary>Xen 4.4 (e4d7c89e34, Oct 2013): <c>fls(mfn) + PAGE_SHIFT</c>; arm64's <c>setup_mm</c> passed the exclusive RAM end.</summary>
    Oct2013,

    /// <summary>Xen 4.3 (adc5afbf1c, Jan 2013): <c>fls(mfn) + PAGE_SHIFT - 1</c>.</summary>
    Jan2013,
}
