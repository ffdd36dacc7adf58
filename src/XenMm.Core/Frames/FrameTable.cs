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
    /// <summary>Entries per block of cold (per-page domain) state, materialised on first write.</summary>
    public const int BlockSize = 1 << BlockShift;

    internal const int BlockShift = 9;
    internal const uint BlockMask = BlockSize - 1;

    // Hot entries and the free-head bitmaps live in zero-filled native memory (calloc): the OS backs a page of
    // it only when it is first written, so untouched RAM costs address space, not memory.
    private readonly NativeBuffer _storage;
    private readonly unsafe HotEntry* _hot;
    private readonly unsafe ulong* _headBits;  // bit i: entry i is a free-chunk head
    private readonly unsafe ulong* _covered;   // bit q: entries q * 64 .. q * 64 + 63 lie in a free chunk of order >= 6
    private readonly unsafe ulong* _smallFree; // bit i: entry i lies in a free chunk of order < 6 (inside one 64-page group)
    private readonly ulong _headWords;
    private readonly ColdEntry[]?[] _cold;
    private readonly ulong[]?[] _dirty;
    private readonly ulong[] _groupValid;
    private readonly bool _allGroupsValid;
    private readonly int _groupShift;
    private readonly ulong _basePdx;   // PDX of index 0: first RAM PDX rounded down to 2^MAX_ORDER and to a PDX group
    private readonly ulong _validLoIdx; // Xen's frametable_base_pdx, as an index
    private readonly ulong _maxPage;   // one past the last RAM frame (Xen: max_page)
    private readonly RamBank[] _banks;
    private readonly ulong _ramStart;
    private readonly ulong _ramPages;
    private (ulong Start, ulong End, byte Node)[] _nodeRanges;
    private long _coldBlocks;

    /// <summary>Builds the frame table for the given RAM banks (PDX mask compression as Xen does, none in the 2013 profile).</summary>
    /// <exception cref="XenMmException">No RAM, RAM above PADDR_BITS, or RAM spanning more than 2^31 frame-table entries.</exception>
    public unsafe FrameTable(IEnumerable<RamBank> banks, HeapConfig config)
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
        if (_maxPage > 1UL << (config.PaddrBits - Addressing.PageShift))
        {
            // Xen: PADDR_BITS bounds every MFN; a frame above it has no zone (flsl(mfn) >= NR_ZONES).
            throw new XenMmException(MmError.InvalidAddress, $"RAM up to MFN 0x{_maxPage:x} lies above PADDR_BITS ({config.PaddrBits}).");
        }

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
        _headWords = (nr + 63) / 64;
        ulong coveredWords = (_headWords + 63) / 64;
        _storage = new NativeBuffer((nr * (ulong)sizeof(HotEntry)) + ((_headWords + coveredWords + _headWords) * 8));
        _hot = (HotEntry*)_storage.Pointer;
        _headBits = (ulong*)(_hot + nr);
        _covered = _headBits + _headWords;
        _smallFree = _covered + coveredWords;
        ulong blocks = (nr + BlockSize - 1) >> BlockShift;
        _cold = new ColdEntry[]?[blocks];
        _dirty = new ulong[]?[blocks];
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

    /// <summary>Bytes of address space reserved for hot entries and bitmaps (backed by the OS only where written).</summary>
    public long ReservedBytes => (long)_storage.Length;

    /// <summary>Number of blocks of <see cref="BlockSize"/> entries whose per-page domain state was materialised.</summary>
    public long ColdBlocks => Interlocked.Read(ref _coldBlocks);

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

    /// <summary>
    /// <see cref="TryToIdx"/> and <see cref="IsRamRange"/> at once: the index of <paramref name="mfn"/> when it is
    /// valid and <c>[mfn, mfn + pages)</c> lies in one RAM bank. With one bank and no PDX compression (most
    /// machines) the bank check alone decides it: every page of the bank is valid and its index is its PDX offset.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryToRamIdx(ulong mfn, ulong pages, out uint idx)
    {
        if (_banks.Length == 1 && IsIdentity)
        {
            ulong o = mfn - _ramStart;
            idx = (uint)(mfn - _basePdx);
            return o < _ramPages && pages <= _ramPages - o;
        }

        return TryToIdx(mfn, out idx) && IsRamRange(new Mfn(mfn), pages);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong ToMfn(uint idx) => IsIdentity ? idx + _basePdx : Pdx.ToMfn(idx + _basePdx);

    /// <summary>One past the last RAM PDX (Xen: <c>max_pdx</c>).</summary>
    internal ulong MaxPdx => _basePdx + NrIdx;

    /// <summary>Xen's <c>pdx_group_valid</c> bit of the PDX group holding <paramref name="pdx"/>: a RAM bank touches it (<c>set_pdx_range</c>).</summary>
    internal bool IsPdxGroupValid(ulong pdx)
    {
        var idx = pdx - _basePdx;
        return pdx >= _basePdx && idx < NrIdx
            && (_allGroupsValid || (_groupValid[idx >> (_groupShift + 6)] & (1UL << (int)((idx >> _groupShift) & 63))) != 0);
    }

    // mfn_valid for a buddy computed in index space.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsValidIdx(ulong idx) =>
        idx < NrIdx && idx >= _validLoIdx
        && (_allGroupsValid || (_groupValid[idx >> (_groupShift + 6)] & (1UL << (int)((idx >> _groupShift) & 63))) != 0);

    /// <summary>
    /// Backs the whole table with memory now, as Xen's <c>setup_frametable_mappings</c> maps and zeroes its frame table
    /// at boot: afterwards no heap operation waits for the OS to fault a page of the table in. By default the table is
    /// backed a page at a time as it is first written, so a machine costs the memory it touches; this costs
    /// <see cref="ReservedBytes"/> at once. A hint only: where the OS cannot populate ahead (not Linux 5.14+), pages
    /// still fault in as they are written. The table's contents do not change.
    /// </summary>
    public void Prefault()
    {
        _storage.Populate(0, _storage.Length);
        Prefaulted = true;
    }

    /// <summary>Whether <see cref="Prefault"/> has backed the whole table.</summary>
    public bool Prefaulted { get; private set; }

    /// <summary>Backs the hot entries and bitmap words of <c>[idx, idx + count)</c> now: a page-wise init is about to write them all.</summary>
    internal unsafe void Populate(uint idx, ulong count)
    {
        if (Prefaulted)
        {
            return;
        }

        ulong hotBase = (ulong)((byte*)_hot - (byte*)_storage.Pointer);
        _storage.Populate(hotBase + ((ulong)idx * (ulong)sizeof(HotEntry)), count * (ulong)sizeof(HotEntry));
        foreach (var bits in (ReadOnlySpan<nint>)[(nint)_headBits, (nint)_smallFree])
        {
            ulong bitsBase = (ulong)((byte*)bits - (byte*)_storage.Pointer);
            _storage.Populate(bitsBase + ((ulong)(idx >> 6) * 8), ((count + 63) >> 6) * 8);
        }
    }

    // The merge loop of free_heap_pages reads this once and works on the raw storage (BuddyHeap.MergeAndAdd).
    internal unsafe HotEntry* HotBase => _hot;

    // The free-head and small-chunk bitmaps, for the page-wise init loop (BuddyHeap.FreeRunClean).
    internal unsafe ulong* HeadBitsBase => _headBits;

    internal unsafe ulong* SmallFreeBase => _smallFree;

    // IsValidIdx(i) is "i - ValidLoIdx < NrIdx - ValidLoIdx" (one compare) when every PDX group is valid.
    internal ulong ValidLoIdx => _validLoIdx;

    internal bool AllGroupsValid => _allGroupsValid;

    // The entry of a page (zero, i.e. "in use, order 0", until first written).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe ref HotEntry Hot(uint idx) => ref _hot[idx];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool IsFreeHead(uint idx) => (_headBits[idx >> 6] & (1UL << (int)(idx & 63))) != 0;

    // Marks idx as the head of a free chunk of the given order and returns its entry.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe ref HotEntry SetFreeHead(uint idx, int order)
    {
        MarkFreeChunk(idx, order);
        ref var e = ref _hot[idx];
        e.Flags = HotEntry.FreeHeadFlag;
        e.Order = (byte)order;
        return ref e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void ClearFreeHead(uint idx)
    {
        ref var e = ref _hot[idx];
        UnmarkFreeChunk(idx, e.Order);
        e.Flags = 0;
    }

    // The bitmaps of a free chunk [idx, idx + 2^order): its head bit, and either its pages' small-chunk bits (order
    // < 6: the chunk lies in one 64-page group) or its groups' covered bits. The hot entry is the caller's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void MarkFreeChunk(uint idx, int order)
    {
        _headBits[idx >> 6] |= 1UL << (int)(idx & 63);
        if (order < 6)
        {
            _smallFree[idx >> 6] |= SmallChunkMask(idx, order);
        }
        else
        {
            SetCovered(idx >> 6, 1u << (order - 6), true);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void UnmarkFreeChunk(uint idx, int order)
    {
        _headBits[idx >> 6] &= ~(1UL << (int)(idx & 63));
        if (order < 6)
        {
            _smallFree[idx >> 6] &= ~SmallChunkMask(idx, order);
        }
        else
        {
            SetCovered(idx >> 6, 1u << (order - 6), false);
        }
    }

    // The bits of [idx, idx + 2^order) in idx's 64-page group word; order < 6.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SmallChunkMask(uint idx, int order) => ((1UL << (1 << order)) - 1) << (int)(idx & 63);

    // Sets or clears the covered bits of 64-page groups [q, q + n); n is a power of two and q a multiple of n.
    private unsafe void SetCovered(uint q, uint n, bool value)
    {
        if (n < 64)
        {
            ulong mask = ((1UL << (int)n) - 1) << (int)(q & 63);
            _covered[q >> 6] = value ? _covered[q >> 6] | mask : _covered[q >> 6] & ~mask;
            return;
        }

        for (uint w = q >> 6, end = (q + n) >> 6; w < end; w++)
        {
            _covered[w] = value ? ulong.MaxValue : 0;
        }
    }

    /// <summary>
    /// Exact "is any page of [idx, idx + 2^order) inside a free chunk" (the double-free check of every free), from
    /// the bitmaps alone: a free chunk of order &lt; 6 has its pages' bits set in its group's small-chunk word, and
    /// one of order ≥ 6 covers whole 64-page groups (their covered bits) and has its head in the range unless it
    /// covers the range's first group. No page's entry is read: that was a cache miss on most frees.
    /// </summary>
    internal unsafe bool RangeOverlapsFree(uint idx, int order, int maxOrder)
    {
        uint w = idx >> 6;
        if (order < 6)
        {
            if ((_smallFree[w] & SmallChunkMask(idx, order)) != 0)
            {
                return true;
            }
        }
        else
        {
            for (uint i = w, end = w + (1u << (order - 6)); i < end; i++)
            {
                if (_headBits[i] != 0)
                {
                    return true;
                }
            }
        }

        // A free chunk of order >= 6 holding a page of the range covers the range's first 64-page group.
        return (_covered[w >> 6] & (1UL << (int)(w & 63))) != 0;
    }

    // Finds a free head of order o in [fromOrder, maxOrder] whose chunk covers idx.
    internal bool CoveringHead(uint idx, int fromOrder, int maxOrder, out uint head)
    {
        for (int o = fromOrder; o <= maxOrder; o++)
        {
            uint h = idx & ~((1u << o) - 1);
            if (IsFreeHead(h) && Hot(h).Order == o)
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
