using System.Numerics;
using XenMm.Memory;

namespace XenMm.Frames;

/// <summary>
/// MFN ↔ PDX translation (Xen: xen/include/xen/pdx.h, common/pdx.c). Either the identity, or Xen's mask
/// compression: one run of address bits that is zero in every RAM bank, above the low MAX_ORDER bits, is
/// squeezed out, so distant banks get neighbouring frame-table indexes.
/// </summary>
public sealed class PdxMap
{
    private PdxMap(ulong bottomMask, int holeShift, ulong holeMask)
    {
        BottomMask = bottomMask;
        HoleShift = holeShift;
        HoleMask = holeMask;
    }

    /// <summary>PFN bits kept in place (below the hole); all ones without compression.</summary>
    public ulong BottomMask { get; }

    /// <summary>Length of the hole in bits; 0 without compression.</summary>
    public int HoleShift { get; }

    /// <summary>The PFN bits squeezed out; an MFN with a bit here has no frame-table entry.</summary>
    public ulong HoleMask { get; }

    /// <summary>True when a hole is squeezed out.</summary>
    public bool IsCompressed => HoleShift != 0;

    /// <summary>No compression: pdx = pfn ([2013] ARM and PDX_NONE).</summary>
    public static PdxMap Identity { get; } = new(ulong.MaxValue, 0, 0);

    /// <summary>
    /// Xen's mask compression set up from RAM banks (pfn_pdx_compression_setup, then ARM init_pdx's
    /// "every bank compressible" check, which holds by construction here). Returns the identity when no hole
    /// exists.
    /// </summary>
    public static PdxMap ForBanks(IEnumerable<RamBank> banks, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(banks);
        // Xen: the low MAX_ORDER bits are never compressed, so buddy arithmetic stays valid.
        ulong mask = (1UL << maxOrder) - 1;
        foreach (var bank in banks)
        {
            if (bank.Pages == 0)
            {
                continue;
            }

            ulong basePfn = bank.StartMfn.Value;
            ulong last = basePfn + bank.Pages - 1;
            mask |= basePfn | FillMask(basePfn ^ last);
        }

        // The longest run of zero bits between bit MAX_ORDER and the highest set bit of the mask.
        int top = 63 - BitOperations.LeadingZeroCount(mask);
        int bestStart = 0, bestLen = 0;
        for (int bit = maxOrder; bit < top;)
        {
            if ((mask & (1UL << bit)) != 0)
            {
                bit++;
                continue;
            }

            int start = bit;
            while (bit < top && (mask & (1UL << bit)) == 0)
            {
                bit++;
            }

            if (bit - start > bestLen)
            {
                bestStart = start;
                bestLen = bit - start;
            }
        }

        if (bestLen == 0)
        {
            return Identity;
        }

        ulong bottom = (1UL << bestStart) - 1;
        ulong hole = ((1UL << bestLen) - 1) << bestStart;
        return new PdxMap(bottom, bestLen, hole);
    }

    /// <summary>pfn_to_pdx.</summary>
    public Pdx ToPdx(Mfn mfn) => new(ToPdx(mfn.Value));

    /// <summary>pdx_to_pfn.</summary>
    public Mfn ToMfn(Pdx pdx) => new(ToMfn(pdx.Value));

    internal ulong ToPdx(ulong pfn) =>
        HoleShift == 0 ? pfn : (pfn & BottomMask) | ((pfn & ~(BottomMask | HoleMask)) >> HoleShift);

    internal ulong ToMfn(ulong pdx) =>
        HoleShift == 0 ? pdx : (pdx & BottomMask) | ((pdx & ~BottomMask) << HoleShift);

    // All ones at and below the most significant set bit (Xen: fill_mask).
    private static ulong FillMask(ulong x) => x == 0 ? 0 : ulong.MaxValue >> BitOperations.LeadingZeroCount(x);

    /// <inheritdoc />
    public override string ToString() =>
        IsCompressed ? $"mask compression: hole 0x{HoleMask:x} ({HoleShift} bits)" : "identity";
}
