using System.Numerics;
using XenMm.Domains;

namespace XenMm.Frames;

// What a checkpoint needs of the frame table: its materialised state out and in, and a clean slate to restore onto.
public sealed partial class FrameTable
{
    internal int ColdBlockSlots => _cold.Length;

    internal (ulong Start, ulong End, byte Node)[] NodeRanges
    {
        get => _nodeRanges;
        set => _nodeRanges = value;
    }

    internal IEnumerable<(int Block, ColdEntry[] Entries)> MaterialisedColdBlocks()
    {
        for (var bi = 0; bi < _cold.Length; bi++)
        {
            if (_cold[bi] is { } block)
            {
                yield return (bi, block);
            }
        }
    }

    internal IEnumerable<(int Block, ulong[] Words)> MaterialisedDirtyBlocks()
    {
        for (var bi = 0; bi < _dirty.Length; bi++)
        {
            if (_dirty[bi] is { } words)
            {
                yield return (bi, words);
            }
        }
    }

    internal bool AnyDirty
    {
        get => AnyDirtyBits;
        set => AnyDirtyBits = value;
    }

    internal void SetColdBlock(int block, ColdEntry[] entries)
    {
        if (_cold[block] is null)
        {
            _coldBlocks++;
        }

        _cold[block] = entries;
    }

    internal void SetDirtyBlock(int block, ulong[] words) => _dirty[block] = words;

    // Every free head unmarked and zeroed (their covered bits go with them), cold and dirty blocks dropped.
    internal unsafe void ClearForRestore()
    {
        for (ulong w = 0; w < _headWords; w++)
        {
            var bits = _headBits[w];
            while (bits != 0)
            {
                var idx = (uint)((w << 6) + (ulong)BitOperations.TrailingZeroCount(bits));
                bits &= bits - 1;
                ClearFreeHead(idx);
                _hot[idx] = default;
            }
        }

        new Span<ulong>(_covered, checked((int)((_headWords + 63) / 64))).Clear();
        new Span<ulong>(_smallFree, checked((int)_headWords)).Clear();
        System.Array.Clear(_cold);
        System.Array.Clear(_dirty);
        _coldBlocks = 0;
        AnyDirtyBits = false;
    }

    internal static ColdEntry MakeCold(ulong countInfo, ulong typeInfo, Domain? owner) =>
        new() { CountInfo = countInfo, TypeInfo = typeInfo, Owner = owner };
}
