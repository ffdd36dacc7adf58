using XenMm.Audit;
using XenMm.Heap;
using XenMm.Machine;

namespace XenMm.Arm32.Heap;

/// <summary>
/// The split xenheap of arm32 (CONFIG_SEPARATE_XENHEAP; xen-mm.md §2.11 (A), §2.13): the xenheap is the physical
/// range <c>[directmap_mfn_start, directmap_mfn_end)</c>, zone 0 of the buddy heap by address, mapped 1:1 at
/// <c>XENHEAP_VIRT_START</c>. <c>alloc_xenheap_pages</c> takes only zone 0 and the domheap never does, with no
/// fallback either way; <c>init_xenheap_pages</c> keeps a one-page buffer at each end so no free chunk can merge
/// across the zone boundary.
/// </summary>
/// <remarks>Thread-safe: one lock orders the model's record of live allocations; the heap has its own.</remarks>
public sealed partial class SplitHeapModel : IHeapModel, IAuditable
{
    private readonly BuddyHeap _heap;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, int> _live = [];
    private readonly List<MfnRange> _buffers = [];
    private readonly bool _buffered;

    /// <summary>
    /// Creates the model over <paramref name="heap"/> for the xenheap <paramref name="range"/> and makes that range
    /// zone 0 (<see cref="BuddyHeap.SetXenheapRange"/>). Call before any page is handed to the heap.
    /// </summary>
    /// <exception cref="XenMmException">
    /// <see cref="MmError.InvalidArgument"/> for an empty range or one larger than the 1 GiB window,
    /// <see cref="MmError.InvalidState"/> when the heap already holds pages.
    /// </exception>
    public SplitHeapModel(BuddyHeap heap, MfnRange range, VirtAddr virtStart)
        : this(heap, range, virtStart, buffered: true)
    {
    }

    // buffered: false is the test-only switch that shows what the one-page buffers prevent.
    internal SplitHeapModel(BuddyHeap heap, MfnRange range, VirtAddr virtStart, bool buffered)
    {
        ArgumentNullException.ThrowIfNull(heap);
        if (range.Pages == 0 || range.Pages > (Layout.Arm32Layout.XenheapVirtSize >> Addressing.PageShift))
        {
            throw new XenMmException(MmError.InvalidArgument, $"Xenheap {range}: {range.Pages} pages; the 1 GiB window holds 1 to 262144.");
        }

        heap.SetXenheapRange(range.Start, range.End);
        _heap = heap;
        _buffered = buffered;
        XenheapRange = range;
        XenheapVirtStart = virtStart;
    }

    /// <inheritdoc />
    public string Name => "split";

    /// <inheritdoc />
    public MfnRange? XenheapRange { get; }

    private MfnRange Range => XenheapRange!.Value;

    /// <inheritdoc />
    public VirtAddr XenheapVirtStart { get; }

    /// <summary>Xen: <c>directmap_virt_end</c>, one past the last xenheap VA.</summary>
    public VirtAddr XenheapVirtEnd => XenheapVirtStart + (Range.Pages << Addressing.PageShift);

    /// <inheritdoc />
    public IReadOnlyList<MfnRange> BufferPages
    {
        get
        {
            lock (_lock)
            {
                return [.. _buffers];
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<MfnRange> XenheapAllocations
    {
        get
        {
            lock (_lock)
            {
                return [.. _live.OrderBy(p => p.Key).Select(p => new MfnRange(new Mfn(p.Key), 1UL << p.Value))];
            }
        }
    }

    /// <summary>
    /// Xen's <c>init_xenheap_pages(ps, pe)</c> (common/page_alloc.c, CONFIG_SEPARATE_XENHEAP): rounds inward, then
    /// ("Yuk!") moves <paramref name="start"/> up a page unless the page before it is xenheap (or it is MFN 0) and
    /// <paramref name="end"/> down a page unless the page at it is xenheap, and hands the rest to
    /// <paramref name="initHeapPages"/> (the machine's <c>init_heap_pages</c>). Returns the range handed over.
    /// </summary>
    public MfnRange InitXenheapPages(PhysAddr start, PhysAddr end, Action<MfnRange> initHeapPages)
    {
        ArgumentNullException.ThrowIfNull(initHeapPages);
        var ps = (start.Value + Addressing.PageMask) >> Addressing.PageShift;
        var pe = end.Value >> Addressing.PageShift;
        if (pe <= ps)
        {
            return new MfnRange(new Mfn(ps), 0);
        }

        lock (_lock)
        {
            if (_buffered && ps != 0 && !IsXenHeapMfn(new Mfn(ps - 1)))
            {
                _buffers.Add(new MfnRange(new Mfn(ps), 1));
                ps++;
            }

            if (_buffered && !IsXenHeapMfn(new Mfn(pe)))
            {
                pe--;
                _buffers.Add(new MfnRange(new Mfn(pe), 1));
            }
        }

        var range = MfnRange.FromBounds(new Mfn(ps), new Mfn(pe));
        initHeapPages(range);
        return range;
    }

    /// <inheritdoc />
    /// <remarks>Xen: <c>alloc_heap_pages(MEMZONE_XEN, MEMZONE_XEN, order, memflags | MEMF_no_scrub, NULL)</c>; no fallback to the domheap.</remarks>
    public bool TryAllocXenheapPages(int order, MemFlags flags, out VirtAddr va)
    {
        if ((uint)order > (uint)_heap.MaxOrder)
        {
            throw new XenMmException(MmError.InvalidOrder, $"alloc_xenheap_pages: order {order} is outside 0..{_heap.MaxOrder}.");
        }

        lock (_lock)
        {
            if (!_heap.TryAlloc(0, 0, order, flags | MemFlags.NoScrub, out var mfn))
            {
                va = default;
                return false;
            }

            _live.Add(mfn.Value, order);
            va = XenheapVirtStart + ((mfn - Range.Start) << Addressing.PageShift);
            return true;
        }
    }

    /// <inheritdoc />
    /// <remarks>Xen: <c>free_heap_pages(virt_to_page(v), order, false)</c>; a null pointer (VA 0) is ignored, as in Xen.</remarks>
    public void FreeXenheapPages(VirtAddr va, int order)
    {
        if (va.Value == 0)
        {
            return;
        }

        var mfn = VirtToMaddr(va).Mfn;
        lock (_lock)
        {
            if (!va.IsPageAligned || !_live.TryGetValue(mfn.Value, out var live) || live != order)
            {
                throw new XenMmException(MmError.NotAllocated, $"free_xenheap_pages({va}, {order}): no live xenheap allocation of order {order} starts there.");
            }

            _heap.Free(mfn, order, needScrub: false);
            _live.Remove(mfn.Value);
        }
    }

    /// <inheritdoc />
    /// <remarks>Xen (arm32, both eras): address based; <c>PGC_xen_heap</c> plays no part.</remarks>
    public bool IsXenHeapPage(Mfn mfn) => IsXenHeapMfn(mfn);

    /// <inheritdoc />
    public bool IsXenHeapMfn(Mfn mfn) => Range.Contains(mfn);

    /// <inheritdoc />
    /// <remarks>Xen: <c>maddr_to_virt</c> ASSERTs <c>is_xen_heap_mfn</c>; no PDX is involved.</remarks>
    public VirtAddr MaddrToVirt(PhysAddr ma)
    {
        if (!IsXenHeapMfn(ma.Mfn))
        {
            throw new XenMmException(MmError.InvalidAddress, $"maddr_to_virt({ma}): outside the xenheap {Range} (Xen: ASSERT(is_xen_heap_mfn)).");
        }

        return XenheapVirtStart + (ma.Value - Range.Start.ToPhysAddr().Value);
    }

    /// <inheritdoc />
    public PhysAddr VirtToMaddr(VirtAddr va)
    {
        if (va < XenheapVirtStart || va >= XenheapVirtEnd)
        {
            throw new XenMmException(MmError.InvalidAddress, $"virt_to_maddr({va}): outside the xenheap window [{XenheapVirtStart}, {XenheapVirtEnd}).");
        }

        return Range.Start.ToPhysAddr() + (va - XenheapVirtStart);
    }

    /// <summary>
    /// Invariants 10 and 11: no free chunk straddles either end of the xenheap, zone 0 holds only xenheap pages and
    /// its count matches its lists, every live xenheap block lies inside the range and no buffer page is free.
    /// </summary>
    public void Audit(List<AuditViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var range = Range;
        ulong zone0 = 0;
        for (var zone = 0; zone < _heap.NrZones; zone++)
        {
            for (var order = 0; order <= _heap.MaxOrder; order++)
            {
                foreach (var head in _heap.FreeList(0, zone, order))
                {
                    var end = head.Value + (1UL << order);
                    var inside = head >= range.Start && end <= range.End.Value;
                    var outside = end <= range.Start.Value || head >= range.End;
                    if (!inside && !outside)
                    {
                        violations.Add(new AuditViolation("11 split-buffers", head, $"free order-{order} chunk on the zone-{zone} list straddles the xenheap {range}"));
                    }
                    else if ((zone == 0) != inside)
                    {
                        violations.Add(new AuditViolation("10 no-fallback", head, $"free order-{order} chunk {(inside ? "inside" : "outside")} the xenheap {range} is on the zone-{zone} list"));
                    }

                    if (zone == 0)
                    {
                        zone0 += 1UL << order;
                    }

                    lock (_lock)
                    {
                        foreach (var b in _buffers)
                        {
                            if (b.Start.Value < end && head < b.End)
                            {
                                violations.Add(new AuditViolation("11 split-buffers", b.Start, "a buffer page of init_xenheap_pages is free in the heap"));
                            }
                        }
                    }
                }
            }
        }

        if (_heap.Avail(0, 0) != zone0)
        {
            violations.Add(new AuditViolation("11 split-buffers", null, $"avail[0][MEMZONE_XEN] = {_heap.Avail(0, 0)}, the zone-0 lists hold {zone0} pages"));
        }

        lock (_lock)
        {
            foreach (var (mfn, order) in _live)
            {
                if (!range.Contains(new Mfn(mfn)) || !range.Contains(new Mfn(mfn + (1UL << order) - 1)))
                {
                    violations.Add(new AuditViolation("10 no-fallback", new Mfn(mfn), $"xenheap block of order {order} lies outside the xenheap {range}"));
                }
            }
        }
    }
}
