using System.Numerics;

namespace XenMm.Frames;

// The audit's view of the free-chunk bitmaps beside the head bits: what the double-free check reads.
public sealed partial class FrameTable
{
    /// <summary>True when the bitmaps hold the chunk <c>[idx, idx + 2^order)</c>: its small-chunk bits (order &lt; 6) or its covered bits.</summary>
    internal unsafe bool BitmapsHoldChunk(uint idx, int order)
    {
        if (order < 6)
        {
            ulong mask = SmallChunkMask(idx, order);
            return (_smallFree[idx >> 6] & mask) == mask;
        }

        for (uint q = idx >> 6, end = q + (1u << (order - 6)); q < end; q++)
        {
            if ((_covered[q >> 6] & (1UL << (int)(q & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Bits set in the small-chunk bitmap (pages) and in the covered bitmap (64-page groups).</summary>
    internal unsafe (ulong SmallPages, ulong CoveredGroups) BitmapPopulation()
    {
        ulong small = 0, covered = 0;
        for (ulong w = 0; w < _headWords; w++)
        {
            small += (ulong)BitOperations.PopCount(_smallFree[w]);
        }

        for (ulong w = 0, n = (_headWords + 63) / 64; w < n; w++)
        {
            covered += (ulong)BitOperations.PopCount(_covered[w]);
        }

        return (small, covered);
    }

    // Test-only: flips one page's small-chunk bit, so a test can show the audit finding a bitmap out of step.
    internal unsafe void FlipSmallChunkBitForTest(uint idx) => _smallFree[idx >> 6] ^= 1UL << (int)(idx & 63);
}
