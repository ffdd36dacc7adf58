using XenMm.Arm64.Heap;

namespace XenMm.Arm64.Machine;

/// <summary>
/// arm64 settings that a board does not give: whether <c>setup_mm</c> calls <c>xenheap_max_mfn</c>, and with what.
/// Current Xen on arm64 never calls it (<c>xenheap_bits</c> = 0, 0a7167d9b2); Xen 4.4 called it with the end of RAM.
/// </summary>
public sealed class Arm64Options
{
    /// <summary>
    /// The argument of <c>xenheap_max_mfn</c>, or null for the profile's behaviour (current: not called;
    /// 2013: the exclusive end of RAM, as 4.4's <c>setup_mm</c> passed <c>xenheap_mfn_end</c>).
    /// </summary>
    public Mfn? XenheapMaxMfn { get; set; }

    /// <summary>Which version of <c>xenheap_max_mfn</c> to apply, or null for the profile's (current: Sep 2015; 2013: Oct 2013).</summary>
    public XenheapBitsFormula? XenheapBitsFormula { get; set; }

    /// <summary>A copy.</summary>
    public Arm64Options Clone() => new() { XenheapMaxMfn = XenheapMaxMfn, XenheapBitsFormula = XenheapBitsFormula };
}
