using System.Numerics;

namespace XenMm.Arm64.Heap;

/// <summary>Xen's <c>xenheap_max_mfn</c> arithmetic: the <c>xenheap_bits</c> a given MFN yields under each formula.</summary>
public static class XenheapMaxMfn
{
    /// <summary>
    /// The <c>xenheap_bits</c> that <c>xenheap_max_mfn(<paramref name="mfn"/>)</c> sets under <paramref name="formula"/>
    /// (xen-mm.md Example 2: 0x880000 gives 35, 36 and 35 for Jan 2013, Oct 2013 and Sep 2015).
    /// </summary>
    /// <param name="mfn">The argument Xen passes.</param>
    /// <param name="formula">Which version of the function.</param>
    /// <param name="paddrBits"><c>PADDR_BITS</c>, the cap of the current formula.</param>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for an undefined formula.</exception>
    public static int Bits(Mfn mfn, XenheapBitsFormula formula, int paddrBits) => formula switch
    {
        // Xen: 2013 used the 32-bit fls() on an unsigned long; MFNs of a 40-bit PA fit in 32 bits.
        XenheapBitsFormula.Jan2013 => Fls(mfn.Value) + Addressing.PageShift - 1,
        XenheapBitsFormula.Oct2013 => Fls(mfn.Value) + Addressing.PageShift,
        XenheapBitsFormula.Sep2015 => Math.Min(Fls(mfn.Value + 1) - 1 + Addressing.PageShift, paddrBits),
        _ => throw new XenMmException(MmError.InvalidArgument, $"xenheap_max_mfn formula {(int)formula} is not defined."),
    };

    /// <summary>The formula of <paramref name="profile"/>: Oct 2013 for the 2013 (4.4) profile, Sep 2015 now.</summary>
    public static XenheapBitsFormula FormulaOf(XenProfile profile) =>
        profile == XenProfile.Xen2013 ? XenheapBitsFormula.Oct2013 : XenheapBitsFormula.Sep2015;

    private static int Fls(ulong x) => 64 - BitOperations.LeadingZeroCount(x);
}
