using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XenMm.Heap;
using XenMm.Memory;

namespace XenMm.Frames;

/// <summary>
/// Xen's <c>frame_table</c>: one <c>struct page_info</c> per PDX from the first RAM frame to the last, stored
/// sparsely. Storage is materialised in blocks of <see cref="BlockSize"/> entries when a page in them becomes a
/// free-chunk head or is otherwise written; a page inside a free chunk other than its head is answered from
/// the chunk (DESIGN.md), so memory follows what the machine touches, not its RAM size.
/// </summary>
public sealed partial class FrameTable
{
    /// <summary>Entries per materialised block.</summary>
    public const int BlockSize = 1 << BlockShift;

    internal const int BlockShift = 9;
    internal const uint BlockMask = BlockSize - 1;

    private readonly FrameBlock?[] _blocks;
    private readonly ulong[] _blockHeadBits; // bit b: entry b * BlockSize is a free head
    private readonly ulong[] _groupValid;
    private readonly bool _allGroupsValid;
    private readonly int _groupShift;
    private readonly ulong _basePdx;   // PDX of index 0: first RAM PDX rounded down to 2^MAX_ORDER and to a PDX group
    private readonly ulong _validLoIdx; // Xen's frametable_base_pdx, as an index
    private readonly ulong _maxPage;   // one past the last RAM frame (Xen: max_page)
    private readonly RamBank[] _banks;
    private (ulong Start, ulong End, byte Node)[] _nodeRanges;
    private readonly ulong _ramStart;
    private readonly ulong _ramPages;
    private long _materialised;
    private long _coldBlocks;

    /// <summary>Builds the frame table for the given RAM banks (PDX mask compression as Xen does, none in the 2013 profile).</summary>
    /// <exception cref="XenMmException">No RAM, or the RAM spans more than 2^31 frame-table entries.</exception>
    public FrameTable(IEnumerable<RamBank> banks, HeapConfig config)
    {
        ArgumentNullException.ThrowIfNull(banks);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _banks = banks.Where(b => b.Pages != 0).OrderBy(b => b.Start.Value).ToArray();
        if (_banks.Length == 0)
        {
            throw new XenMmException(MmError.InvalidArgument, "A frame table needs at least one RAM bank of at least one page.");
        }

        // Xen [2013] ARM had no PDX compression; now mask compression is the ARM default.
        Pdx = config.Profile == XenProfile.Xen2013 ? PdxMap.Identity : PdxMap.ForBanks(_banks, config.MaxOrder);
        _groupShift = config.PdxGroupShift;
        ulong firstMfn = _banks[0].StartMfn.Value;
        _ramStart = firstMfn;
        _ramPages = _banks[0].Pages;
        _maxPage = _banks.Max(b => b.StartMfn.Value + b.Pages);
        ulong firstPdx = Pdx.ToPdx(firstMfn);
        ulong maxPdx = Pdx.ToPdx(_maxPage - 1) + 1;
        // Xen: frametable_base_pdx = pdx of the first RAM page rounded down to a PDX group ([2013]: the first RAM mfn).
        ulong xenBase = config.Profile == XenProfile.Xen2013 ? firstPdx : firstPdx & ~((1UL << _groupShift) - 1);
        // Storage starts lower still, at a 2^MAX_ORDER boundary, so index bits below MAX_ORDER equal MFN bits.
        int align = Math.Max(_groupShift, config.MaxOrder);
        _basePdx = firstPdx & ~((1UL << align) - 1);
        _validLoIdx = xenBase - _basePdx;
        ulong nr = maxPdx - _basePdx;
        if (nr > int.MaxValue)
        {
            throw new XenMmException(MmError.InvalidArgument, $"RAM up to MFN 0x{_maxPage:x} needs {nr} frame-table entries; at most 2^31 are supported.");
        }

        NrIdx = (uint)nr;
        uint blocks = (uint)((nr + BlockSize - 1) >> BlockShift);
        _blocks = new FrameBlock?[blocks];
        _blockHeadBits = new ulong[(blocks + 63) / 64];
        ulong groups = ((nr - 1) >> _groupShift) + 1;
        _groupValid = new ulong[(groups + 63) / 64];
        foreach (var bank in _banks)
        {
            ulong g0 = (Pdx.ToPdx(bank.StartMfn.Value) - _basePdx) >> _groupShift;
            ulong g1 = (Pdx.ToPdx(bank.StartMfn.Value + bank.Pages - 1) - _basePdx) >> _groupShift;
            for (ulong g = g0; g <= g1; g++)
            {
                _groupValid[g >> 6] |= 1UL << (int)(g & 63);
            }
        }

        ulong validCount = 0;
        foreach (var w in _groupValid)
        {
            validCount += (ulong)BitOperations.PopCount(w);
        }

        _allGroupsValid = validCount == groups;
        IsIdentity = !Pdx.IsCompressed;
        _nodeRanges = [];
    }

    /// <summary>The heap constants this table was laid out for.</summary>
    public HeapConfig Config { get; }

    /// <summary>The PDX translation in use.</summary>
    public PdxMap Pdx { get; }

    /// <summary>The RAM banks, sorted by address.</summary>
    public IReadOnlyList<RamBank> Banks => _banks;

    /// <summary>Xen's <c>max_page</c>: one past the highest RAM frame.</summary>
    public Mfn MaxPage => new(_maxPage);

    /// <summary>Number of entries the table spans (materialised or not).</summary>
    public long Entries => NrIdx;

    /// <summary>Number of blocks of <see cref="BlockSize"/> entries materialised so far.</summary>
    public long MaterialisedBlocks => Interlocked.Read(ref _materialised);

    /// <summary>Approximate bytes held by the frame table (directories plus materialised blocks).</summary>
    public long ApproximateBytes =>
        (_blocks.LongLength * 8) + (_blockHeadBits.LongLength * 8) + (_groupValid.LongLength * 8)
        + (MaterialisedBlocks * (BlockSize * 16 + 96)) + (Interlocked.Read(ref _coldBlocks) * BlockSize * 24);

    internal uint NrIdx { get; }

    internal bool IsIdentity { get; }

    /// <summary>
    /// Xen's <c>mfn_valid</c> (ARM now): the PDX is at or above <c>frametable_base_pdx</c>, the MFN is below
    /// <c>max_page</c>, has no bit in the compression hole, and its PDX group is valid. [2013]: below max_page
    /// (and, here, at or above the first RAM frame, since the 2013 frame table started there).
    /// </summary>
    public bool MfnValid(Mfn mfn) => TryToIdx(mfn.Value, out _);

    /// <summary>True when the frame lies in a RAM bank (stricter than <see cref="MfnValid"/>: excludes holes inside a PDX group).</summary>
    public bool IsRam(Mfn mfn)
    {
        foreach (var bank in _banks)
        {
            if (mfn.Value - bank.StartMfn.Value < bank.Pages)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when every frame of <c>[start, start + pages)</c> lies in one RAM bank.</summary>
    public bool IsRamRange(Mfn start, ulong pages)
    {
        if (_banks.Length == 1)
        {
            ulong o = start.Value - _ramStart;
            return o < _ramPages && pages <= _ramPages - o;
        }

        foreach (var bank in _banks)
        {
            ulong off = start.Value - bank.StartMfn.Value;
            if (off < bank.Pages)
            {
                return pages <= bank.Pages - off;
            }
        }

        return false;
    }

    /// <summary>Places <c>[start, start + pages)</c> on NUMA node <paramref name="node"/> (default: node 0). Call before the heap is initialised.</summary>
    /// <exception cref="XenMmException">The node is not below <see cref="HeapConfig.Nodes"/>.</exception>
    public void SetNode(Mfn start, ulong pages, int node)
    {
        if ((uint)node >= (uint)Config.Nodes)
        {
            throw new XenMmException(MmError.InvalidArgument, $"Node {node} is not below the configured {Config.Nodes} nodes.");
        }

        _nodeRanges = [.. _nodeRanges, (start.Value, start.Value + pages, (byte)node)];
    }

    /// <summary>Xen's <c>mfn_to_nid</c>: the node of a frame (0 unless placed by <see cref="SetNode"/>).</summary>
    public int NodeOf(Mfn mfn) => NodeOfMfn(mfn.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int NodeOfMfn(ulong mfn)
    {
        var ranges = _nodeRanges;
        if (ranges.Length == 0)
        {
            return 0;
        }

        // Later placements win.
        for (int i = ranges.Length - 1; i >= 0; i--)
        {
            if (mfn - ranges[i].Start < ranges[i].End - ranges[i].Start)
            {
                return ranges[i].Node;
            }
        }

        return 0;
    }

    internal IEnumerable<ulong> NodeBoundaries() => _nodeRanges.SelectMany(r => new[] { r.Start, r.End });

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryToIdx(ulong mfn, out uint idx)
    {
        idx = 0;
        if (mfn >= _maxPage)
        {
            return false;
        }

        ulong pdx;
        if (IsIdentity)
        {
            pdx = mfn;
        }
        else
        {
            if ((mfn & Pdx.HoleMask) != 0)
            {
                return false;
            }

            pdx = Pdx.ToPdx(mfn);
        }

        ulong i = pdx - _basePdx;
        if (pdx < _basePdx || i < _validLoIdx || i >= NrIdx)
        {
            return false;
        }

        idx = (uint)i;
        return IsValidIdx(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong ToMfn(uint idx) => IsIdentity ? idx + _basePdx : Pdx.ToMfn(idx + _basePdx);

    // mfn_valid for a buddy computed in index space.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsValidIdx(ulong idx) =>
        idx < NrIdx && idx >= _validLoIdx
        && (_allGroupsValid || (_groupValid[idx >> (_groupShift + 6)] & (1UL << (int)((idx >> _groupShift) & 63))) != 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal FrameBlock? BlockOrNull(uint idx) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_blocks), (int)(idx >> BlockShift));

    // The entry of a page known to be materialised (a free head, or a page of a materialised block).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref HotEntry Hot(uint idx) => ref BlockOrNull(idx)!.Hot[(int)(idx & BlockMask)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsFreeHead(uint idx)
    {
        var b = BlockOrNull(idx);
        return b is not null && (b.FreeHeads[(int)((idx & BlockMask) >> 6)] & (1UL << (int)(idx & 63))) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal FrameBlock Materialise(uint idx) => BlockOrNull(idx) ?? MaterialiseSlow(idx);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private FrameBlock MaterialiseSlow(uint idx)
    {
        var b = new FrameBlock();
        _blocks[idx >> BlockShift] = b;
        Interlocked.Increment(ref _materialised);
        return b;
    }

    // Marks idx as a free-chunk head and returns its (materialised) entry.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref HotEntry SetFreeHead(uint idx)
    {
        var b = Materialise(idx);
        b.FreeHeads[(int)((idx & BlockMask) >> 6)] |= 1UL << (int)(idx & 63);
        b.FreeHeadCount++;
        if ((idx & BlockMask) == 0)
        {
            uint bi = idx >> BlockShift;
            _blockHeadBits[bi >> 6] |= 1UL << (int)(bi & 63);
        }

        ref var e = ref b.Hot[(int)(idx & BlockMask)];
        e.Flags = HotEntry.FreeHeadFlag;
        return ref e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ClearFreeHead(uint idx)
    {
        var b = BlockOrNull(idx)!;
        b.FreeHeads[(int)((idx & BlockMask) >> 6)] &= ~(1UL << (int)(idx & 63));
        b.FreeHeadCount--;
        if ((idx & BlockMask) == 0)
        {
            uint bi = idx >> BlockShift;
            _blockHeadBits[bi >> 6] &= ~(1UL << (int)(bi & 63));
        }

        b.Hot[(int)(idx & BlockMask)].Flags = 0;
    }

    /// <summary>
    /// Exact "is any page of [idx, idx + 2^order) inside a free chunk": a free chunk overlapping the range either
    /// has its head inside the range (free-head bitmap) or covers it from an aligned head of a larger order.
    /// </summary>
    internal bool RangeOverlapsFree(uint idx, int order, int maxOrder) =>
        MayOverlapFree(idx, order, maxOrder) && RangeOverlapsFreeExact(idx, order, maxOrder);

    // For each bit position p in a word: p and its aligned-down positions for alignments 2..64, i.e. every
    // place in the word where a head covering p could sit.
    private static readonly ulong[] CandidateMask = BuildCandidateMask();

    private static ulong[] BuildCandidateMask()
    {
        var m = new ulong[64];
        for (int p = 0; p < 64; p++)
        {
            for (int t = 0; t <= 6; t++)
            {
                m[p] |= 1UL << (p & ~((1 << t) - 1));
            }
        }

        return m;
    }

    // Cheap filter: false when no free head sits inside the range nor at any aligned position that could
    // cover it (a few bitmap words); true means "maybe", settled by the exact search.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool MayOverlapFree(uint idx, int order, int maxOrder)
    {
        if (order >= 6)
        {
            return true;
        }

        var b = BlockOrNull(idx);
        if (b is not null && b.FreeHeadCount != 0)
        {
            int off = (int)(idx & BlockMask);
            int w = off >> 6;
            ulong inRange = ((1UL << (1 << order)) - 1) << (off & 63);
            if ((b.FreeHeads[w] & (inRange | CandidateMask[off & 63])) != 0
                || (b.FreeHeads[w & ~1] & 1) != 0
                || (b.FreeHeads[w & ~3] & 1) != 0
                || (b.FreeHeads[0] & 1) != 0)
            {
                return true;
            }
        }

        if (maxOrder < BlockShift)
        {
            return false;
        }

        uint bi = idx >> BlockShift;
        int bw = (int)(bi >> 6);
        if ((_blockHeadBits[bw] & CandidateMask[bi & 63]) != 0)
        {
            return true;
        }

        for (int t = 7; t <= maxOrder - BlockShift; t++)
        {
            if ((_blockHeadBits[bw & ~((1 << (t - 6)) - 1)] & 1) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool RangeOverlapsFreeExact(uint idx, int order, int maxOrder)
    {
        // Heads inside the range.
        if (order < BlockShift)
        {
            var b = BlockOrNull(idx);
            if (b is not null && b.FreeHeadCount != 0)
            {
                int off = (int)(idx & BlockMask);
                int n = 1 << order;
                if (n < 64)
                {
                    if ((b.FreeHeads[off >> 6] & (((1UL << n) - 1) << (off & 63))) != 0)
                    {
                        return true;
                    }
                }
                else
                {
                    for (int w = off >> 6, end = (off + n) >> 6; w < end; w++)
                    {
                        if (b.FreeHeads[w] != 0)
                        {
                            return true;
                        }
                    }
                }
            }
        }
        else
        {
            uint first = idx >> BlockShift, count = 1u << (order - BlockShift);
            for (uint i = 0; i < count && first + i < (uint)_blocks.Length; i++)
            {
                if (_blocks[first + i] is { FreeHeadCount: not 0 })
                {
                    return true;
                }
            }
        }

        // Aligned heads of larger chunks covering idx.
        return CoveringHead(idx, order + 1, maxOrder, out _);
    }

    // Finds a free head of order o in [fromOrder, maxOrder] whose chunk covers idx.
    internal bool CoveringHead(uint idx, int fromOrder, int maxOrder, out uint head)
    {
        var own = BlockOrNull(idx);
        int o = fromOrder;
        if (own is not null && own.FreeHeadCount != 0)
        {
            for (; o < BlockShift && o <= maxOrder; o++)
            {
                uint h = idx & ~((1u << o) - 1);
                if ((own.FreeHeads[(int)((h & BlockMask) >> 6)] & (1UL << (int)(h & 63))) != 0 && own.Hot[(int)(h & BlockMask)].Order == o)
                {
                    head = h;
                    return true;
                }
            }
        }

        o = Math.Max(o, BlockShift);
        for (; o <= maxOrder; o++)
        {
            uint h = idx & ~((1u << o) - 1);
            uint bi = h >> BlockShift;
            if ((_blockHeadBits[bi >> 6] & (1UL << (int)(bi & 63))) != 0 && Hot(h).Order == o)
            {
                head = h;
                return true;
            }
        }

        head = 0;
        return false;
    }

    // The free chunk holding idx, if any.
    internal bool TryFindChunk(uint idx, int maxOrder, out uint head, out int order)
    {
        if (IsFreeHead(idx))
        {
            head = idx;
            order = Hot(idx).Order;
            return true;
        }

        if (CoveringHead(idx, 1, maxOrder, out head))
        {
            order = Hot(head).Order;
            return true;
        }

        order = 0;
        return false;
    }
}
