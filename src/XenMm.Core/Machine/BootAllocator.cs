namespace XenMm.Machine;

/// <summary>
/// Xen's boot-time allocator (common/page_alloc.c, xen-mm.md §2.4): a sorted array of free MFN regions filled by
/// <c>init_boot_pages</c>, handing out pages top-down with <c>alloc_boot_pages</c>, and given to the buddy heap
/// by <c>end_boot_allocator</c>. Current Xen keeps the array static (one page of entries); the 2013 profile keeps
/// it in the first page it is given and frees that page last.
/// </summary>
/// <remarks>
/// Where Xen BUGs (an overlapping range, a full region array, nothing left to allocate) this throws
/// <see cref="XenMmException"/> and changes nothing. Not thread-safe: boot runs on one CPU.
/// </remarks>
public sealed class BootAllocator
{
    private readonly List<(ulong S, ulong E)> _regions = [];
    private readonly List<MfnRange> _inits = [];
    private readonly List<BootAllocation> _allocations = [];
    private readonly IReadOnlyList<(ulong Start, ulong End)> _badPages;
    private readonly XenProfile _profile;
    private Mfn? _listPage;
    private List<MfnRange>? _handover;

    /// <summary>Creates an empty allocator.</summary>
    /// <param name="profile">Which Xen's rules to follow.</param>
    /// <param name="bitsPerLong">Width of Xen's <c>unsigned long</c>: the region array holds one page of two-word entries.</param>
    /// <param name="badPages">The <c>badpage=</c> ranges <c>[start, end)</c> cut out of every range added.</param>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidArgument"/> for a width other than 32 or 64 or an undefined profile.</exception>
    public BootAllocator(XenProfile profile, int bitsPerLong, IReadOnlyList<(ulong Start, ulong End)>? badPages = null)
    {
        if (bitsPerLong is not (32 or 64) || !Enum.IsDefined(profile))
        {
            throw new XenMmException(MmError.InvalidArgument, $"Boot allocator: unsigned long width {bitsPerLong} or profile {profile} is not supported.");
        }

        _profile = profile;
        Capacity = (int)(Addressing.PageSize / (2 * (ulong)bitsPerLong / 8));
        _badPages = badPages ?? [];
    }

    /// <summary>How many regions the array holds (Xen: <c>PAGE_SIZE / sizeof(struct bootmem_region)</c>: 256 on 64-bit, 512 on 32-bit).</summary>
    public int Capacity { get; }

    /// <summary>The free regions now, in address order.</summary>
    public IReadOnlyList<MfnRange> Regions => [.. _regions.Select(r => MfnRange.FromBounds(new Mfn(r.S), new Mfn(r.E)))];

    /// <summary>Every <c>init_boot_pages</c> range that was not empty after rounding inward, in call order.</summary>
    public IReadOnlyList<MfnRange> Inits => _inits;

    /// <summary>Every <c>alloc_boot_pages</c>, in call order.</summary>
    public IReadOnlyList<BootAllocation> Allocations => _allocations;

    /// <summary>2013 profile: the page holding the region array (taken from the first range added), until <see cref="End"/> frees it.</summary>
    public Mfn? RegionListPage => _listPage;

    /// <summary>True once <see cref="End"/> has run.</summary>
    public bool HasEnded => _handover is not null;

    /// <summary>What <see cref="End"/> handed to the heap, in hand-over order; empty before.</summary>
    public IReadOnlyList<MfnRange> Handover => _handover ?? [];

    /// <summary>The free pages left.</summary>
    public ulong FreePages => _regions.Aggregate(0UL, (sum, r) => sum + (r.E - r.S));

    /// <summary>
    /// Xen's <c>init_boot_pages(ps, pe)</c>: rounds inward to pages, adds the range and cuts out <c>badpage=</c>.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.Overlap"/> when the range overlaps a region (Xen: BUG_ON), <see cref="MmError.LimitExceeded"/>
    /// when the array is full (Xen: BUG_ON), <see cref="MmError.InvalidState"/> after <see cref="End"/>.
    /// </exception>
    public void InitBootPages(PhysAddr ps, PhysAddr pe)
    {
        EnsureOpen();
        var s = (ps.Value + Addressing.PageMask) >> Addressing.PageShift;
        if (ps.Value > ulong.MaxValue - Addressing.PageMask)
        {
            return;
        }

        var e = pe.Value >> Addressing.PageShift;
        if (e <= s)
        {
            return;
        }

        var work = new List<(ulong S, ulong E)>(_regions);
        var listPage = _listPage;
        Add(work, ref listPage, s, e);
        foreach (var (bs, be) in _badPages)
        {
            Zap(work, ref listPage, bs, be);
        }

        _regions.Clear();
        _regions.AddRange(work);
        _listPage = listPage;
        _inits.Add(MfnRange.FromBounds(new Mfn(s), new Mfn(e)));
    }

    /// <summary>
    /// Xen's <c>alloc_boot_pages(nr, align)</c>: from the highest region down, the highest <paramref name="align"/>-aligned
    /// block of <paramref name="nr"/> pages that fits; the region is split around it.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidArgument"/> for zero pages or an alignment that is not a power of two,
    /// <see cref="MmError.OutOfMemory"/> when nothing fits (Xen: BUG), <see cref="MmError.LimitExceeded"/> when the split
    /// needs a region the array has no room for, <see cref="MmError.InvalidState"/> after <see cref="End"/>.
    /// </exception>
    public Mfn AllocBootPages(ulong nr, ulong align, PageUse use, string purpose)
    {
        EnsureOpen();
        if (nr == 0 || align == 0 || (align & (align - 1)) != 0)
        {
            throw new XenMmException(MmError.InvalidArgument, $"alloc_boot_pages({nr}, {align}): the count must be non-zero and the alignment a power of two.");
        }

        if (!Enum.IsDefined(use))
        {
            throw new XenMmException(MmError.InvalidArgument, $"alloc_boot_pages: page use {(int)use} is not defined.");
        }

        for (var i = _regions.Count - 1; i >= 0; i--)
        {
            var (s, e) = _regions[i];
            if (nr > e)
            {
                continue; // Xen [2013] wraps here; current Xen's pg >= r->e test skips the region.
            }

            var pg = (e - nr) & ~(align - 1);
            if (pg >= e || pg < s)
            {
                continue;
            }

            var splits = pg + nr < e;
            if (splits && _regions.Count == Capacity)
            {
                throw new XenMmException(MmError.LimitExceeded, $"alloc_boot_pages({nr}, {align}): splitting [{new Mfn(s)}, {new Mfn(e)}) needs a region beyond the array's {Capacity} (Xen: BUG_ON in bootmem_region_add).");
            }

            _regions[i] = (s, pg);
            if (splits)
            {
                _regions.Insert(i + 1, (pg + nr, e));
            }

            var mfn = new Mfn(pg);
            _allocations.Add(new BootAllocation(mfn, nr, align, use, purpose ?? string.Empty));
            return mfn;
        }

        throw new XenMmException(MmError.OutOfMemory, $"alloc_boot_pages({nr}, {align}) for {purpose}: no region has {nr} pages at that alignment ({FreePages} pages free; Xen: BUG).");
    }

    /// <summary>
    /// Xen's <c>end_boot_allocator</c> on one node: the first non-empty region (the boot CPU's node's) first, then
    /// every other from the highest down; [2013] then the page of the region array. Returns the hand-over order; the
    /// caller gives each range to <c>init_heap_pages</c>. The allocator is closed afterwards.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidState"/> when it has already ended.</exception>
    public IReadOnlyList<MfnRange> End()
    {
        EnsureOpen();
        var order = new List<MfnRange>();
        var first = _regions.FindIndex(r => r.S < r.E);
        if (first >= 0)
        {
            order.Add(MfnRange.FromBounds(new Mfn(_regions[first].S), new Mfn(_regions[first].E)));
        }

        for (var i = _regions.Count - 1; i >= 0; i--)
        {
            if (i != first && _regions[i].S < _regions[i].E)
            {
                order.Add(MfnRange.FromBounds(new Mfn(_regions[i].S), new Mfn(_regions[i].E)));
            }
        }

        if (_listPage is { } page)
        {
            order.Add(new MfnRange(page, 1));
        }

        _regions.Clear();
        _handover = order;
        return order;
    }

    private void EnsureOpen()
    {
        if (_handover is not null)
        {
            throw new XenMmException(MmError.InvalidState, "The boot allocator has ended (end_boot_allocator ran); allocate from the heap.");
        }
    }

    // Xen: bootmem_region_add. [2013] the first non-empty range gives up its first page to hold the array.
    private void Add(List<(ulong S, ulong E)> regions, ref Mfn? listPage, ulong s, ulong e)
    {
        if (_profile == XenProfile.Xen2013 && listPage is null && s < e)
        {
            listPage = new Mfn(s++);
        }

        if (s >= e)
        {
            return;
        }

        var i = regions.FindIndex(r => s < r.E);
        if (i < 0)
        {
            i = regions.Count;
        }

        if (i < regions.Count && e > regions[i].S)
        {
            throw new XenMmException(MmError.Overlap, $"init_boot_pages [{new Mfn(s)}, {new Mfn(e)}) overlaps the free region [{new Mfn(regions[i].S)}, {new Mfn(regions[i].E)}) (Xen: BUG_ON in bootmem_region_add).");
        }

        if (regions.Count == Capacity)
        {
            throw new XenMmException(MmError.LimitExceeded, $"init_boot_pages [{new Mfn(s)}, {new Mfn(e)}): the region array is full ({Capacity} regions; Xen: BUG_ON in bootmem_region_add).");
        }

        regions.Insert(i, (s, e));
    }

    // Xen: bootmem_region_zap.
    private void Zap(List<(ulong S, ulong E)> regions, ref Mfn? listPage, ulong s, ulong e)
    {
        for (var i = 0; i < regions.Count; i++)
        {
            var r = regions[i];
            if (e <= r.S)
            {
                break;
            }

            if (s >= r.E)
            {
                continue;
            }

            if (s <= r.S)
            {
                regions[i] = (Math.Min(e, r.E), r.E);
            }
            else if (e >= r.E)
            {
                regions[i] = (r.S, s);
            }
            else
            {
                regions[i] = (r.S, s);
                Add(regions, ref listPage, e, r.E);
            }
        }
    }
}
