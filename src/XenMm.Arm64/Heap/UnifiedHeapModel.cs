using XenMm.Arm64.DirectMapping;
using XenMm.Audit;
using XenMm.Domains;
using XenMm.Heap;
using XenMm.Machine;

namespace XenMm.Arm64.Heap;

/// <summary>
/// The unified heap of arm64 (CONFIG_SEPARATE_XENHEAP=n, xen-mm.md §2.11 B): one buddy heap, all RAM in the direct
/// map, xenheap pages told apart only by <c>PGC_xen_heap</c>. <c>alloc_xenheap_pages</c> goes through
/// <c>alloc_domheap_pages</c> (with <c>MEMF_no_scrub</c> now) and flags every page; <c>free_xenheap_pages</c> clears
/// the flag and frees with scrubbing (now). <c>xenheap_bits</c>, set at most once before the heap holds pages, limits
/// xenheap allocations through <c>MEMF_bits</c>; 0 (current arm64) means no limit. Thread-safe.
/// </summary>
public sealed partial class UnifiedHeapModel : IHeapModel, IAuditable
{
    private readonly Domheap _domheap;
    private readonly BuddyHeap _heap;
    private readonly DirectMap _map;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, int> _live = [];
    private readonly bool _current;

    /// <summary>Creates the model over <paramref name="domheap"/>'s heap and the direct map <paramref name="map"/>.</summary>
    public UnifiedHeapModel(Domheap domheap, DirectMap map)
    {
        _domheap = domheap ?? throw new ArgumentNullException(nameof(domheap));
        _map = map ?? throw new ArgumentNullException(nameof(map));
        _heap = domheap.Heap;
        _current = _heap.Config.Profile == XenProfile.Current;
    }

    /// <inheritdoc />
    public string Name => "unified";

    /// <inheritdoc />
    public MfnRange? XenheapRange => null;

    /// <inheritdoc />
    public VirtAddr XenheapVirtStart => _map.VirtStart;

    /// <inheritdoc />
    public IReadOnlyList<MfnRange> BufferPages => [];

    /// <summary>The direct map the xenheap's addresses come from.</summary>
    public DirectMap DirectMap => _map;

    /// <summary>Xen's <c>xenheap_bits</c>: 0 (no limit, current arm64) unless <see cref="SetXenheapMaxMfn"/> set it.</summary>
    public int XenheapBits { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<MfnRange> XenheapAllocations
    {
        get
        {
            lock (_gate)
            {
                return LiveInOrder();
            }
        }
    }

    /// <summary>
    /// Xen's <c>xenheap_max_mfn(mfn)</c>: sets <see cref="XenheapBits"/> by <paramref name="formula"/>. Xen ASSERTs that it
    /// runs once and before the heap is initialised; so does this.
    /// </summary>
    /// <exception cref="XenMmException"><see cref="MmError.InvalidState"/> when already called or when the heap holds pages.</exception>
    public void SetXenheapMaxMfn(Mfn mfn, XenheapBitsFormula formula)
    {
        lock (_gate)
        {
            // Xen: ASSERT(!first_node_initialised); ASSERT(!xenheap_bits).
            if (XenheapBits != 0 || _heap.NodeHeapInitialised(0) || _heap.TotalAvailPages != 0)
            {
                throw new XenMmException(MmError.InvalidState, $"xenheap_max_mfn({mfn}) must run once, before the heap is initialised (xenheap_bits is {XenheapBits}).");
            }

            XenheapBits = XenheapMaxMfn.Bits(mfn, formula, _heap.Config.PaddrBits);
        }
    }

    /// <inheritdoc />
    public bool TryAllocXenheapPages(int order, MemFlags flags, out VirtAddr va)
    {
        if ((uint)order > (uint)_heap.MaxOrder)
        {
            throw new XenMmException(MmError.InvalidOrder, $"alloc_xenheap_pages: order {order} is outside 0..{_heap.MaxOrder}.");
        }

        // Xen: common/page_alloc.c, alloc_xenheap_pages (!CONFIG_SEPARATE_XENHEAP): a caller's MEMF_bits wider than
        // xenheap_bits is dropped, and no MEMF_bits becomes MEMF_bits(xenheap_bits) (0: no limit).
        int bits = flags.AddressBits;
        if (XenheapBits != 0 && bits > XenheapBits)
        {
            bits = 0;
        }

        if (bits == 0)
        {
            bits = XenheapBits;
        }

        flags = new MemFlags(flags.Value & ~MemFlags.Bits(0xFF).Value) | MemFlags.Bits(bits);
        if (_current)
        {
            flags |= MemFlags.NoScrub;
        }

        lock (_gate)
        {
            if (!_domheap.TryAllocPages(null, order, flags, out var mfn))
            {
                va = default;
                return false;
            }

            _heap.SetXenHeapFlag(mfn, order, true);
            _live.Add(mfn.Value, order);
            va = _map.MaddrToVirt(mfn.ToPhysAddr());
            return true;
        }
    }

    /// <inheritdoc />
    /// <remarks>A null <paramref name="va"/> (0) does nothing, as in Xen.</remarks>
    public void FreeXenheapPages(VirtAddr va, int order)
    {
        if (va.Value == 0)
        {
            return;
        }

        if (!_map.TryVirtToMaddr(va, out var ma) || !va.IsPageAligned)
        {
            throw new XenMmException(MmError.InvalidAddress, $"free_xenheap_pages: {va} is not a page of the direct map.");
        }

        var mfn = ma.Mfn;
        lock (_gate)
        {
            if (!_live.TryGetValue(mfn.Value, out var liveOrder) || liveOrder != order)
            {
                throw new XenMmException(MmError.NotAllocated, $"free_xenheap_pages({va}, {order}): MFN {mfn} is not a live xenheap allocation of order {order}.");
            }

            // Xen: free_xenheap_pages clears PGC_xen_heap on every page, then free_heap_pages(pg, order, true)
            // ([2013]: no scrub argument).
            _heap.SetXenHeapFlag(mfn, order, false);
            _heap.Free(mfn, order, needScrub: _current);
            _live.Remove(mfn.Value);
        }
    }

    /// <inheritdoc />
    public bool IsXenHeapPage(Mfn mfn) => _heap.IsXenHeapPage(mfn);

    /// <inheritdoc />
    public bool IsXenHeapMfn(Mfn mfn) => _heap.FrameTable.MfnValid(mfn) && _heap.IsXenHeapPage(mfn);

    /// <inheritdoc />
    public VirtAddr MaddrToVirt(PhysAddr ma) => _map.MaddrToVirt(ma);

    /// <inheritdoc />
    public PhysAddr VirtToMaddr(VirtAddr va) => _map.VirtToMaddr(va);

    /// <summary>
    /// Invariant 12: zone 0 (MEMZONE_XEN) is empty, <c>PGC_xen_heap</c> is set exactly on the live xenheap
    /// allocations, and with <c>xenheap_bits</c> set every allocation lies below 2^xenheap_bits.
    /// </summary>
    public void Audit(List<AuditViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        for (var node = 0; node < _heap.Config.Nodes; node++)
        {
            if (_heap.Avail(node, 0) != 0)
            {
                violations.Add(new AuditViolation("unified-heap", null, $"zone 0 of node {node} holds {_heap.Avail(node, 0)} free pages; the unified heap never zones a page 0"));
            }
        }

        lock (_gate)
        {
            var flagged = _heap.XenHeapFlagRuns();
            var live = LiveInOrder();
            var merged = new List<MfnRange>();
            foreach (var r in live)
            {
                if (merged.Count > 0 && merged[^1].End == r.Start)
                {
                    merged[^1] = merged[^1] with { Pages = merged[^1].Pages + r.Pages };
                }
                else
                {
                    merged.Add(r);
                }
            }

            if (!flagged.SequenceEqual(merged))
            {
                var first = flagged.Zip(merged).FirstOrDefault(p => p.First != p.Second);
                violations.Add(new AuditViolation("unified-heap", null, $"PGC_xen_heap is on {flagged.Count} run(s) of pages but {merged.Count} run(s) are live xenheap allocations (first difference: {first.First} vs {first.Second})"));
            }

            if (XenheapBits != 0)
            {
                foreach (var r in live.Where(r => (r.End.Value - 1) >> (XenheapBits - Addressing.PageShift) != 0))
                {
                    violations.Add(new AuditViolation("unified-heap", r.Start, $"xenheap allocation {r} lies above 2^{XenheapBits} (xenheap_bits)"));
                }
            }
        }
    }

    private List<MfnRange> LiveInOrder() => [.. _live.OrderBy(kv => kv.Key).Select(kv => new MfnRange(new Mfn(kv.Key), 1UL << kv.Value))];
}
